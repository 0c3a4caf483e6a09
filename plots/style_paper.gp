# Paper style: a column-width figure with journal-sized text.
fig_w = 900             # figure size in pixels (PDF: fig_w/100 by fig_h/100 inches)
fig_h = 560
font_name = "Sans"
font_size = 11          # points
line_width = 1.2        # scales every line
point_size = 1.0
dose_point_size = 1.3     # bolus symbols in the dose strip (they shrink where doses crowd)
