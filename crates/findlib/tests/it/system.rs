//! The machine's own findlib after the suite's set-up: other projects on
//! it (every OASIS-generated plugin runs `ocamlfind list`) must still work.

use std::process::Command;

#[test]
fn ocamlfind_list_succeeds_on_this_machine() {
    let out = Command::new("ocamlfind")
        .arg("list")
        .env_remove("OCAMLFIND_CONF")
        .env_remove("OCAMLPATH")
        .output()
        .expect("ocamlfind (apt-get install ocaml-findlib)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let hint = if stderr.contains("Inconsistent_ordering") {
        "\nHint: a package installs a directory named like a sub-package next to its main \
         package (libppx-visitors-ocaml-dev does: visitors.ppx/META); earlier versions of \
         ./test.sh installed it. `apt-get remove libppx-visitors-ocaml-dev` gives ocamlfind \
         back to the machine's other projects; the tests read that package from its .deb."
    } else {
        ""
    };
    assert!(
        out.status.success(),
        "`ocamlfind list` fails ({}):\n{stderr}{hint}",
        out.status
    );
}
