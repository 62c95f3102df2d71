package ft.client.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ft completion [bash|zsh]}: prints a script that teaches the shell ft's commands and options. */
@Command(name = "completion",
        description = {"Print a shell completion script for ft.",
                "The script is bash's; zsh runs it through bashcompinit, which the script enables itself."},
        footer = {"", "Examples:",
                "  source <(ft completion)        in ~/.bashrc: completion in every bash",
                "  source <(ft completion zsh)    in ~/.zshrc: completion in every zsh",
                "  ft completion > ~/.local/share/bash-completion/completions/ft",
                "                                 the same, loaded on demand by bash-completion"})
final class CompletionCommand implements Callable<Integer> {
    /** Lower case because the constant names are what people type. */
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", defaultValue = "bash",
            description = "bash or zsh (default: ${DEFAULT-VALUE}).")
    Shell shell;

    @Override
    public Integer call() {
        // Generated from the live command tree, so new subcommands and options complete without edits here.
        // The same script serves zsh: picocli's script checks $ZSH_VERSION and loads bashcompinit itself.
        String script = AutoComplete.bash("ft", spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
