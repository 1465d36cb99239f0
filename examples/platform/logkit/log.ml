let emit level message = Printf.eprintf "[%s] %s\n%!" level message
let info = emit "info"
let warn = emit "warn"
