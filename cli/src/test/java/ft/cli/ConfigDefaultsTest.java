package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class ConfigDefaultsTest {
    @TempDir
    Path home;

    /** Only what a test puts here: the real environment and ~/.config never leak in. */
    private final Map<String, String> env = new HashMap<>();

    @Command(name = "tiny")
    static final class Tiny {
        @Option(names = {"-s", "--server"})
        String server;

        @Option(
                names = {"-j", "--jobs"},
                defaultValue = "4")
        int jobs;

        @Option(names = {"-q", "--quiet"})
        boolean quiet;

        @Option(names = "--timeout", defaultValue = "30")
        int timeout;

        @Option(names = "--tls")
        boolean tls;
    }

    @BeforeEach
    void isolatedHome() {
        env.put("HOME", home.toString());
    }

    private Tiny parse(String... args) throws Exception {
        Tiny tiny = new Tiny();
        new CommandLine(tiny).setDefaultValueProvider(new ConfigDefaults(env)).parseArgs(args);
        return tiny;
    }

    private Path writeConfig(String... lines) throws IOException {
        Path file = home.resolve(".config/ft/config");
        Files.createDirectories(file.getParent());
        return Files.write(file, List.of(lines));
    }

    @Test
    void flagBeatsEnvironmentBeatsConfigFileBeatsBuiltInDefault() throws Exception {
        assertThat(parse().jobs).as("built-in default").isEqualTo(4);

        writeConfig("jobs = 6", "server = config:1");
        assertThat(parse().jobs).as("config file").isEqualTo(6);
        assertThat(parse().server).isEqualTo("config:1");

        env.put("FT_JOBS", "7");
        env.put("FT_SERVER", "env:1");
        assertThat(parse().jobs).as("environment").isEqualTo(7);
        assertThat(parse().server).isEqualTo("env:1");

        Tiny flagged = parse("--jobs", "8", "-s", "flag:1");
        assertThat(flagged.jobs).as("flag").isEqualTo(8);
        assertThat(flagged.server).isEqualTo("flag:1");
    }

    @Test
    void settingsNobodyGaveLeaveTheOptionsOwnDefaultOrNull() throws Exception {
        writeConfig("jobs = 2");
        Tiny tiny = parse();
        assertThat(tiny.timeout).isEqualTo(30);
        assertThat(tiny.server).isNull();
        assertThat(tiny.quiet).isFalse();
    }

    @Test
    void emptyEnvironmentVariableCountsAsUnset() throws Exception {
        writeConfig("server = config:1");
        env.put("FT_SERVER", "");
        assertThat(parse().server).isEqualTo("config:1");
    }

    @Test
    void ftConfigNamesTheFileInsteadOfTheUsualPlaces() throws Exception {
        writeConfig("jobs = 2");
        Files.createDirectories(home.resolve("xdg/ft"));
        Files.writeString(home.resolve("xdg/ft/config"), "jobs = 3\n");
        Path chosen = Files.writeString(home.resolve("elsewhere.conf"), "jobs = 9\n");
        env.put("XDG_CONFIG_HOME", home.resolve("xdg").toString());
        env.put("FT_CONFIG", chosen.toString());

        assertThat(new ConfigDefaults(env).file()).isEqualTo(chosen);
        assertThat(parse().jobs).isEqualTo(9);
    }

    @Test
    void ftConfigNamingAMissingFileIsAnErrorBecauseItIsSurelyATypo() {
        env.put("FT_CONFIG", home.resolve("nope.conf").toString());
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .isInstanceOf(ConfigDefaults.BadConfigException.class)
                .hasMessage("~/nope.conf: no such file (named by FT_CONFIG)");
    }

    @Test
    void xdgConfigHomeComesBeforeDotConfigInHome() throws Exception {
        writeConfig("jobs = 2");
        Files.createDirectories(home.resolve("xdg/ft"));
        Files.writeString(home.resolve("xdg/ft/config"), "jobs = 3\n");

        assertThat(parse().jobs).as("no XDG_CONFIG_HOME: ~/.config/ft/config").isEqualTo(2);
        env.put("XDG_CONFIG_HOME", home.resolve("xdg").toString());
        assertThat(new ConfigDefaults(env).file()).isEqualTo(home.resolve("xdg/ft/config"));
        assertThat(parse().jobs).isEqualTo(3);
    }

    @Test
    void relativeXdgConfigHomeIsIgnoredAsTheXdgSpecSays() throws Exception {
        env.put("XDG_CONFIG_HOME", "relative/dir");
        assertThat(new ConfigDefaults(env).file()).isEqualTo(home.resolve(".config/ft/config"));
    }

    @Test
    void commentsBlankLinesAndSurroundingWhitespaceAreIgnored() throws Exception {
        writeConfig(
                "# where the office server lives",
                "",
                "   ",
                "  server\t=   office:7070  ",
                "   # jobs = 99",
                "jobs=5");
        Tiny tiny = parse();
        assertThat(tiny.server).isEqualTo("office:7070");
        assertThat(tiny.jobs).isEqualTo(5);
    }

    @Test
    void unknownKeyIsAnErrorNamingFileAndLine() throws Exception {
        writeConfig("# ft settings", "jobs = 2", "sevrer = office:7070");
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .isInstanceOf(ConfigDefaults.BadConfigException.class)
                .hasMessage("~/.config/ft/config:3: unknown key 'sevrer' "
                        + "(known keys: server, timeout, retries, jobs, quiet, tls, trust-ca, token)")
                .satisfies(e -> assertThat(ExitStatus.of(e).code()).isEqualTo(2));
    }

    @Test
    void malformedLinesAreErrorsNamingFileAndLine() throws Exception {
        writeConfig("server office:7070");
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .hasMessage("~/.config/ft/config:1: expected 'key = value', got 'server office:7070'");

        writeConfig("jobs = four");
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .hasMessage("~/.config/ft/config:1: 'jobs': 'four' is not a whole number");

        writeConfig("", "server =");
        assertThatThrownBy(() -> new ConfigDefaults(env)).hasMessage("~/.config/ft/config:2: 'server' has no value");

        writeConfig("server = office:7070 # the office");
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .hasMessageContaining(":1: 'server'")
                .hasMessageContaining("contains spaces");

        writeConfig("jobs = 2", "jobs = 3");
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .hasMessage("~/.config/ft/config:2: 'jobs' is already set on line 1");
    }

    @Test
    void configFileThatIsNotUtf8IsAClearError() throws Exception {
        Path file = writeConfig();
        Files.write(file, new byte[] {'j', 'o', 'b', 's', '=', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> new ConfigDefaults(env)).hasMessage("~/.config/ft/config: not UTF-8 text");
    }

    @Test
    void quietIsTrueOrFalseInAnyCaseAndNothingElse() throws Exception {
        writeConfig("quiet = TRUE");
        assertThat(parse().quiet).isTrue();

        writeConfig("quiet = false");
        env.put("FT_QUIET", "true");
        assertThat(parse().quiet).as("environment beats the file").isTrue();

        env.remove("FT_QUIET");
        assertThat(parse().quiet).isFalse();

        writeConfig("quiet = maybe");
        assertThatThrownBy(() -> new ConfigDefaults(env))
                .hasMessage(
                        "~/.config/ft/config:1: 'quiet': 'maybe' is not a yes or no (true/false, yes/no, on/off, 1/0)");
    }

    @Test
    void booleansTakeYesNoOneZeroOnOffAsShellsWriteThem() throws Exception {
        for (String yes : new String[] {"1", "yes", "YES", "on", "true"}) {
            env.put("FT_TLS", yes);
            assertThat(parse().tls).as(yes).isTrue();
        }
        for (String no : new String[] {"0", "no", "off", "False"}) {
            env.put("FT_TLS", no);
            assertThat(parse().tls).as(no).isFalse();
        }
        env.put("FT_TLS", "2");
        assertThatThrownBy(() -> new ConfigDefaults(env)).hasMessageStartingWith("FT_TLS: '2' is not a yes or no");
    }

    @Test
    void everyKindOfBadValueNamesTheFileAndLine() throws Exception {
        String[][] cases = {
            {"jobs = 100", "~/.config/ft/config:2: 'jobs': 100 is not between 1 and 64"},
            {"jobs = 0", "~/.config/ft/config:2: 'jobs': 0 is not between 1 and 64"},
            {"timeout = 0", "~/.config/ft/config:2: 'timeout': 0 is not between 1 and 86400"},
            {"retries = -1", "~/.config/ft/config:2: 'retries': '-1' is not a whole number"},
            {"server = host:port", "~/.config/ft/config:2: 'server': 'host:port' is not a server address"},
            {"server = tls://h:99999", "~/.config/ft/config:2: 'server': 'tls://h:99999' is not a server address"},
            {"tls = maybe", "~/.config/ft/config:2: 'tls': 'maybe' is not a yes or no"},
            {"jobs =", "~/.config/ft/config:2: 'jobs' has no value"},
        };
        for (String[] c : cases) {
            writeConfig("# settings", c[0]);
            assertThatThrownBy(() -> new ConfigDefaults(env)).as(c[0]).hasMessageStartingWith(c[1]);
        }
        env.put("FT_JOBS", "65");
        assertThatThrownBy(() -> new ConfigDefaults(env)).hasMessage("FT_JOBS: 65 is not between 1 and 64");
    }

    @Test
    void badEnvironmentValueIsAnErrorNamingTheVariable() {
        env.put("FT_TIMEOUT", "soon");
        assertThatThrownBy(() -> new ConfigDefaults(env)).hasMessage("FT_TIMEOUT: 'soon' is not a whole number");
    }

    @Test
    void missingConfigFileMeansNoSettings() throws Exception {
        assertThat(Files.exists(home.resolve(".config"))).isFalse();
        Tiny tiny = parse();
        assertThat(tiny.jobs).isEqualTo(4);
        assertThat(tiny.server).isNull();
    }

    @Test
    void realFtCommandTakesServerAndTimeoutFromConfigAndEnvironmentInItsSubcommands() throws Exception {
        writeConfig("server = config:7070", "timeout = 12");
        assertThat(adopted("get", "a.txt").server).isEqualTo("config:7070");
        assertThat(adopted("get", "a.txt").timeoutSeconds).isEqualTo(12);

        env.put("FT_TIMEOUT", "5");
        FtCommand ft2 = adopted("get", "a.txt", "--server", "flag:7070");
        assertThat(ft2.server).isEqualTo("flag:7070");
        assertThat(ft2.timeoutSeconds).isEqualTo(5);
    }

    @Test
    void anOptionBeforeTheSubcommandBeatsTheConfigAndOneAfterItBeatsBoth() throws Exception {
        writeConfig("server = config:7070", "timeout = 12");
        FtCommand before = adopted("-s", "before:1", "--timeout", "3", "ls");
        assertThat(before.server).isEqualTo("before:1");
        assertThat(before.timeoutSeconds).isEqualTo(3);
        FtCommand both = adopted("-s", "before:1", "ls", "-s", "after:2");
        assertThat(both.server).isEqualTo("after:2");
        assertThat(both.timeoutSeconds).isEqualTo(12);
        assertThat(adopted("--tls", "ls").tlsEnabled()).isTrue();
        assertThat(adopted("ls", "--tls").tlsEnabled()).isTrue();
        assertThat(adopted("ls").tlsEnabled()).isFalse();
        env.put("FT_TLS", "yes");
        assertThat(adopted("ls").tlsEnabled()).isTrue();
    }

    /** The ft command after parsing {@code args} and taking its subcommand's options, as Main does. */
    private FtCommand adopted(String... args) throws Exception {
        FtCommand ft = new FtCommand(env);
        CommandLine cmd = Main.commandLine(ft).setDefaultValueProvider(new ConfigDefaults(env));
        CommandLine.ParseResult parsed = cmd.parseArgs(args);
        ft.adopt(parsed.asCommandLineList().getLast().getParseResult());
        return ft;
    }
}
