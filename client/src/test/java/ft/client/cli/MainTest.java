package ft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
    void buildsTheWholeTreeWhenInDoubt() {
        assertThat(only()).isNull();
        assertThat(only("--help")).isNull();
        assertThat(only("-h", "get")).isNull();
        assertThat(only("-V")).isNull();
        assertThat(only("-qs", "h:1", "get")).isNull();   // a cluster: not read here
        assertThat(only("-sh:1", "get")).isNull();
        assertThat(only("--bogus", "get")).isNull();
        assertThat(only("gett", "a")).isNull();
        assertThat(only("completion")).isNull();          // its script lists every subcommand
        assertThat(only("--", "get")).isNull();
    }

    @Test
    void anErrorOfTheFtCommandItselfShowsTheUsageWithEverySubcommand() {
        StringWriter whole = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"--timeout", "x", "get", "a"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err), Map.of());
        Main.commandLine(new FtCommand(Map.of())).usage(new PrintWriter(whole, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("Invalid value for option '--timeout': 'x' is not an int")
                .endsWith(whole.toString()).contains("serve").contains("completion");
    }
}
