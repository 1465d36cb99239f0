let greet name = Printf.sprintf "Hello, %s!" name
