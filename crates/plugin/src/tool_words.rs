//! `%{toolname}` in the words of a plugin rule's command ([`ToolWords`]):
//! replaced by the path of a tool of `build_tools` (the session gives the
//! table), and an internal tool's target becomes a dependency of the
//! action, built first and one of its inputs, so a change to the tool
//! runs the action again.

use engine::Target;

use super::spec::{Command, Spec};

/// One declared tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolWord {
    /// The name in `%{name}`.
    pub name: String,
    /// What `%{name}` becomes.
    pub path: String,
    /// The target to build first, for an internal tool.
    pub target: Option<String>,
}

/// The tools of `build_tools`, for plugin commands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolWords {
    /// The tools.
    pub tools: Vec<ToolWord>,
}

impl ToolWords {
    /// `command` with every `%{name}` replaced, and the targets of the
    /// internal tools it names; an undeclared name is an error (its
    /// message).
    pub fn substitute(&self, command: &Command) -> Result<(Command, Vec<Target>), String> {
        let mut used = Vec::new();
        let out = self.command(command, &mut used)?;
        Ok((out, used))
    }

    fn command(&self, c: &Command, used: &mut Vec<Target>) -> Result<Command, String> {
        Ok(match c {
            Command::Seq(v) => Command::Seq(
                v.iter()
                    .map(|c| self.command(c, used))
                    .collect::<Result<_, _>>()?,
            ),
            Command::Cmd(s) => Command::Cmd(self.spec(s, used)?),
            other => other.clone(),
        })
    }

    fn spec(&self, s: &Spec, used: &mut Vec<Target>) -> Result<Spec, String> {
        Ok(match s {
            Spec::S(v) => Spec::S(
                v.iter()
                    .map(|s| self.spec(s, used))
                    .collect::<Result<_, _>>()?,
            ),
            Spec::A(t) => Spec::A(self.text(t, used)?),
            Spec::P(t) => Spec::P(self.text(t, used)?),
            Spec::Px(t) => Spec::Px(self.text(t, used)?),
            Spec::Sh(t) => Spec::Sh(self.text(t, used)?),
            Spec::Quote(q) => Spec::Quote(Box::new(self.spec(q, used)?)),
            other => other.clone(),
        })
    }

    fn text(&self, t: &str, used: &mut Vec<Target>) -> Result<String, String> {
        declare::substitute(t, |name| {
            let tool = self.tools.iter().find(|x| x.name == name)?;
            if let Some(target) = &tool.target {
                let t = Target::new(target);
                if !used.contains(&t) {
                    used.push(t);
                }
            }
            Some(tool.path.clone())
        })
        .map_err(|name| {
            let known: Vec<&str> = self.tools.iter().map(|x| x.name.as_str()).collect();
            format!(
                "the command names %{{{name}}}, but no tool `{name}` is declared in build_tools{}.",
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (declared: {})", known.join(", "))
                }
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> ToolWords {
        ToolWords {
            tools: vec![
                ToolWord {
                    name: "gen".into(),
                    path: "gen/gen.native".into(),
                    target: Some("gen/gen.native".into()),
                },
                ToolWord {
                    name: "sh".into(),
                    path: "/bin/sh".into(),
                    target: None,
                },
            ],
        }
    }

    #[test]
    fn tools_are_replaced_and_internal_ones_needed() {
        let c = Command::Seq(vec![
            Command::Cmd(Spec::S(vec![
                Spec::A("%{gen}".into()),
                Spec::Sh("| %{sh} -c cat > 100%{x".into()),
            ])),
            Command::Echo(vec!["%{gen}".into()], "e".into()),
        ]);
        let (out, used) = words().substitute(&c).unwrap();
        assert_eq!(
            out,
            Command::Seq(vec![
                Command::Cmd(Spec::S(vec![
                    Spec::A("gen/gen.native".into()),
                    Spec::Sh("| /bin/sh -c cat > 100%{x".into()),
                ])),
                Command::Echo(vec!["%{gen}".into()], "e".into()),
            ])
        );
        assert_eq!(used, [Target::new("gen/gen.native")]);
        let e = words()
            .substitute(&Command::Cmd(Spec::A("%{nope}".into())))
            .unwrap_err();
        assert!(e.contains("no tool `nope`") && e.contains("gen, sh"), "{e}");
    }
}
