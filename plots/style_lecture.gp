# Lecture style: readable on a projector from the back of the room.
fig_w = 1600            # figure size in pixels (PDF: fig_w/100 by fig_h/100 inches)
fig_h = 1000
font_name = "Sans"
font_size = 22          # points
line_width = 2.5        # scales every line
point_size = 1.8
dose_point_size = 2.2     # bolus symbols in the dose strip (they shrink where doses crowd)
