"""The mesh map: the last stage, drawing the mesh and writing an offline catalog page."""
