let total_area shapes = List.fold_left (fun acc s -> acc +. Shapes.area s) 0. shapes
