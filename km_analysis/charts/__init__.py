"""Charts in the report's Thai style: Sarabun, grey-safe (markers and hatching, not colour alone).

Figures are built with matplotlib's object API (no pyplot state), so a notebook shows exactly
the figures a function returns. `Drawing(figure)` is how the report shows every drawing (the
fish, the ปลาตะเพียน, the river, the visits and coverage charts): its shapes as SVG and its words
as real HTML text over them, shaped like the body text; `Svg(figure)` (text as paths) and
`Png(figure)` are for analysts' own figures. Every
drawing function works inside `thai_style()` and leaves matplotlib's settings as it found them.

The room holds `style` (the style, the grey palette, the figure frame, `Svg` and `Png`),
`drawing` (`Drawing`),
`thaitext` (Thai line breaking and measuring for drawings), `fish` (โมเดลปลาทู), `mobile`
(ปลาตะเพียน), `river` (ธารปัญญา and the stair) and `simple` (visits and coverage charts).
"""

from .drawing import Drawing
from .fish import FISH_HEIGHT_CM, FISH_ITEMS, NOTHING_YET, PART_HEADINGS, fish
from .mobile import COMPLETENESS_LABELS, MOBILE_COLUMNS, pla_taphian
from .river import RIVER_HEIGHT_CM, STAIR_CAPTION, STAIR_HEIGHT_CM, river, stair
from .simple import coverage_bars, coverage_by_tambon, visits_over_time
from .style import STYLE, WIDTH_CM, Png, Svg, new_figure, thai_style
from .thaitext import break_qualities, text_width, wrap_thai

__all__ = [
    "COMPLETENESS_LABELS",
    "FISH_HEIGHT_CM",
    "FISH_ITEMS",
    "MOBILE_COLUMNS",
    "NOTHING_YET",
    "PART_HEADINGS",
    "RIVER_HEIGHT_CM",
    "STAIR_CAPTION",
    "STAIR_HEIGHT_CM",
    "STYLE",
    "WIDTH_CM",
    "Drawing",
    "Png",
    "Svg",
    "break_qualities",
    "coverage_bars",
    "coverage_by_tambon",
    "fish",
    "new_figure",
    "pla_taphian",
    "river",
    "stair",
    "text_width",
    "thai_style",
    "visits_over_time",
    "wrap_thai",
]
