package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static String only(String... args) {
        return Main.subcommandOf(args);
    }

    @Test
    void namesTheSubcommandWhenOnlyKnownGlobalOptionsComeBeforeIt() {
        assertThat(only("get", "a")).isEqualTo("get");
        assertThat(only("-q", "--tls", "--trust", "put", "a")).isEqualTo("put");
        assertThat(only("-s", "ls", "stat", "x")).isEqualTo("stat"); // "ls" is -s's value
        assertThat(only("--server", "h:1", "--timeout", "5", "ls")).isEqualTo("ls");
        assertThat(only("--server=h:1", "--timeout=5", "rm", "x")).isEqualTo("rm");
        assertThat(only("serve", "--root", "d")).isEqualTo("serve");
    }

    @Test
    void theVersionAloneNeedsNoSubcommand() {
        assertThat(only("--version")).isEqualTo(Main.NO_SUBCOMMAND);
        assertThat(only("-V")).isEqualTo(Main.NO_SUBCOMMAND);
        StringWriter out = new StringWriter();
        assertThat(Main.run(
                        new String[] {"--version"},
                        new PrintWriter(out),
                        new PrintWriter(new StringWriter()),
                        Map.of()))
                .isZero();
        assertThat(out.toString()).startsWith("ft ");
    }

    @Test
    void theVersionShortcutPrintsExactlyWhatPicocliPrints() {
        StringWriter picocli = new StringWriter();
        Main.commandLine(new FtCommand(Map.of())).printVersionHelp(new PrintWriter(picocli));
        assertThat(picocli.toString()).startsWith("ft ");
        for (String flag : new String[] {"--version", "-V"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(Main.run(new String[] {flag}, new PrintWriter(out), new PrintWriter(err), Map.of()))
                    .isZero();
            assertThat(out.toString()).isEqualTo(picocli.toString());
            assertThat(err.toString()).isEmpty();
        }
        assertThat(Main.versionOnly(new String[] {"--version"})).isTrue();
        assertThat(Main.versionOnly(new String[] {"-V"})).isTrue();
        assertThat(Main.versionOnly(new String[] {"--version", "get"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"get", "--version"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"-Vq"})).isFalse();
        assertThat(Main.versionOnly(new String[] {})).isFalse();
    }

    @Test
    void theVersionShortcutStillReadsTheConfigFileAndFailsOnABadOneAsEveryCommandDoes(@TempDir Path dir)
            throws IOException {
        Path config = Files.writeString(dir.resolve("config"), "no-such-key = 1\n");
        Map<String, String> env = Map.of("FT_CONFIG", config.toString());
        StringWriter lsErr = new StringWriter();
        int ls = Main.run(new String[] {"ls"}, new PrintWriter(new StringWriter()), new PrintWriter(lsErr), env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int version = Main.run(new String[] {"--version"}, new PrintWriter(out), new PrintWriter(err), env);
        assertThat(ls).isEqualTo(ExitStatus.USAGE.code());
        assertThat(version).isEqualTo(ls);
        assertThat(err.toString()).isEqualTo(lsErr.toString()).contains("unknown key 'no-such-key'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void buildsTheWholeTreeWhenInDoubt() {
        assertThat(only()).isNull();
        assertThat(only("--help")).isNull();
        assertThat(only("-h", "get")).isNull();
        assertThat(only("-V", "get")).isNull();
        assertThat(only("-qs", "h:1", "get")).isNull(); // a cluster: not read here
        assertThat(only("-sh:1", "get")).isNull();
        assertThat(only("--bogus", "get")).isNull();
        assertThat(only("gett", "a")).isNull();
        assertThat(only("completion")).isNull(); // its script lists every subcommand
        assertThat(only("--", "get")).isNull();
    }

    @Test
    void aUsageErrorIsOneLinePlusWhereTheHelpIsNeverTheWholeHelp() {
        assertThat(usageError("--timeout", "x", "get", "a"))
                .isEqualTo("ft: Invalid value for option '--timeout': 'x' is not an int\nft: see 'ft --help'\n");
        assertThat(usageError("get", "--jsn", "a"))
                .isEqualTo("ft: get: unknown option '--jsn'; did you mean '--json'?\n" + "ft: see 'ft get --help'\n");
        assertThat(usageError("get"))
                .isEqualTo("ft: get: Missing required parameter: 'REMOTE'\nft: see 'ft get --help'\n");
        assertThat(usageError("gte", "a"))
                .isEqualTo("ft: 'gte' is not an ft command; did you mean 'get'?\n" + "ft: see 'ft --help'\n");
        assertThat(usageError())
                .startsWith("ft: missing command (serve, get, put")
                .endsWith("ft: see 'ft --help'\n");
        assertThat(usageError("user", "add", "--users"))
                .startsWith("ft: user add: ")
                .endsWith("ft: see 'ft user add --help'\n");
        assertThat(usageError("rm", ""))
                .isEqualTo("ft: rm: an empty argument is not a remote path\n" + "ft: see 'ft rm --help'\n");
        assertThat(usageError("serve", "--max-connections", "many"))
                .startsWith("ft: serve: Invalid value")
                .doesNotContain("Usage:");
    }

    /** Runs a command line that must be a usage error and returns its stderr. */
    private static String usageError(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Map.of());
        assertThat(code).as(err.toString()).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).allMatch(l -> l.startsWith("ft: "));
        return err.toString().replace(System.lineSeparator(), "\n");
    }

    @Test
    void eachSubcommandsHelpListsOnlyItsOwnOptions() {
        assertThat(help("serve"))
                .contains("--listen", "--tls")
                .doesNotContain("--server", "--trust", "--timeout", "--quiet");
        assertThat(help("ls"))
                .contains("--server", "--tls", "--trust", "-q, --quiet", "-h, --human-readable")
                .doesNotContain("--jobs", "--listen");
        assertThat(help("ping")).contains("--server", "--timeout").doesNotContain("--tls", "--trust", "--jobs");
        assertThat(help("user", "add")).contains("--users", "--root").doesNotContain("--server", "--tls");
        assertThat(help("completion")).doesNotContain("--server");
        assertThat(help("get")).contains("--jobs", "--limit-rate", "-p, --preserve", "-t, --target-directory");
    }

    private static String help(String... command) {
        StringWriter out = new StringWriter();
        String[] args = java.util.Arrays.copyOf(command, command.length + 1);
        args[command.length] = "--help";
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of());
        assertThat(code).isZero();
        return out.toString();
    }
}
