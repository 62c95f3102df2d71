package ft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ft completion [bash|zsh]}: prints a script that teaches the shell ft's commands, options and paths. */
@Command(
        name = "completion",
        description = {
            "Print a shell completion script for ft.",
            "It completes subcommands and options, local paths where a local path goes (put's files,",
            "get -o, serve --root ...) and remote paths where a remote one goes (get, ls, stat, rm,",
            "mkdir, mv): those the server lists, asked with the server (-s on the line, else $FT_SERVER",
            "or the config file), token and TLS settings ft would use, for at most about 2 seconds,",
            "never prompting (a TLS server not trusted yet gives no candidates).",
            "The script is bash's; zsh runs it through bashcompinit, which the script enables itself."
        },
        footer = {
            "",
            "Examples:",
            "  source <(ft completion)        in ~/.bashrc: completion in every bash",
            "  source <(ft completion zsh)    in ~/.zshrc: completion in every zsh",
            "  ft completion > ~/.local/share/bash-completion/completions/ft",
            "                                 the same, loaded on demand by bash-completion"
        })
final class CompletionCommand implements Callable<Integer> {
    /** Lower case because the constant names are what people type. */
    enum Shell {
        bash,
        zsh
    }

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "SHELL",
            defaultValue = "bash",
            description = "bash or zsh (default: ${DEFAULT-VALUE}).")
    Shell shell;

    @Override
    public Integer call() {
        // Generated from the live command tree, so new subcommands and options complete without edits here.
        // The same script serves zsh: it checks $ZSH_VERSION and loads bashcompinit itself.
        spec.commandLine().getOut().print(CompletionScript.generate(spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
