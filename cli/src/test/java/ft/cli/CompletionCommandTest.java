package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompletionCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    /** The real ft command tree, with {@code completion} added unless FtCommand already lists it. */
    private static Run ft(String... args) {
        CommandLine cmd = Main.commandLine(new FtCommand(Map.of()));
        if (!cmd.getSubcommands().containsKey("completion")) {
            cmd.addSubcommand(new CompletionCommand());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private record Shell(int exit, String out) {}

    private Shell shell(String shell, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = shell;
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(shell + " finished").isTrue();
        return new Shell(p.exitValue(), out);
    }

    @Test
    void printsABashScriptRegisteringFtWithEverySubcommand() {
        Run run = ft("completion");
        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("complete -F _ft_complete ft", "'get'", "'put'", "'serve'", "'completion'");
    }

    @Test
    void generatedScriptIsValidBash() throws Exception {
        Path script = Files.writeString(
                tmp.resolve("ft.bash"), ft("completion", "bash").out());
        Shell check = shell("bash", "-n", script.toString());
        assertThat(check.exit()).as("bash -n said: %s", check.out()).isZero();
    }

    @Test
    void generatedScriptIsValidZsh() throws Exception {
        RequiredTool.require("zsh");
        Path script =
                Files.writeString(tmp.resolve("ft.zsh"), ft("completion", "zsh").out());
        Shell check = shell("zsh", "-n", script.toString());
        assertThat(check.exit()).as("zsh -n said: %s", check.out()).isZero();
    }

    @Test
    void bashCompletesSubcommandNamesAndGlobalOptionsWithTheScript() throws Exception {
        Path script = Files.writeString(tmp.resolve("ft.bash"), ft("completion").out());
        // What bash sets before calling a completion function for `ft <TAB>`, then `ft --se<TAB>`.
        String driver = "source " + script + "\n"
                + "COMP_WORDS=(ft ''); COMP_CWORD=1; COMP_LINE='ft '; COMP_POINT=3\n"
                + "_ft_complete ft '' ft; printf 'word:%s\\n' \"${COMPREPLY[@]}\"\n"
                + "COMP_WORDS=(ft --se); COMP_CWORD=1; COMP_LINE='ft --se'; COMP_POINT=7\n"
                + "_ft_complete ft --se ft; printf 'word:%s\\n' \"${COMPREPLY[@]}\"\n";
        Path driverFile = Files.writeString(tmp.resolve("driver.bash"), driver);
        Shell run = shell("bash", driverFile.toString());
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out().lines())
                .contains("word:get", "word:put", "word:serve", "word:completion", "word:--server");
    }

    @Test
    void zshGetsTheScriptThatLoadsBashcompinitItself() {
        Run zsh = ft("completion", "zsh");
        assertThat(zsh.exit()).isZero();
        assertThat(zsh.out())
                .contains("${ZSH_VERSION:-}", "bashcompinit", "complete -o nospace -F _ft_complete ft")
                .isEqualTo(ft("completion", "bash").out());
    }

    @Test
    void unknownShellIsAUsageErrorListingTheKnownOnes() {
        Run run = ft("completion", "fish");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("fish").contains("bash, zsh");
    }

    @Test
    void helpShowsHowToInstallTheScript() {
        Run run = ft("completion", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains(
                        "source <(ft completion)",
                        "source <(ft completion zsh)",
                        "local paths",
                        "remote paths",
                        "never prompting");
    }
}
