let separators = Str.regexp "[^A-Za-z0-9']+"

let split text =
  Str.split separators text
  |> List.map Fold_case.fold
  |> List.filter (fun w -> not (Stopwords.mem w))
