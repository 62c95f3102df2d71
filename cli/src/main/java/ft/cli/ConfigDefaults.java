package ft.cli;

import ft.client.FtException;
import ft.client.XdgDirs;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Values for options not given on the command line: the environment first, then the config
 * file; {@code null} lets picocli fall back to the option's own {@code defaultValue}.
 *
 * <p>The file ({@code $FT_CONFIG}, else {@code $XDG_CONFIG_HOME/ft/config}, else
 * {@code ~/.config/ft/config}) holds {@code key = value} lines and {@code #} comment lines.
 * Everything is read and checked when this is constructed, so a typo is reported once, with
 * its file and line, before any command runs, instead of surfacing later as an odd value.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private enum Kind {
        SERVER,
        WHOLE_NUMBER,
        BOOLEAN,
        SECRET
    }

    /**
     * One configurable option: its config key, the long option it feeds (null for a setting
     * that has no flag), its variable, and for a number the values it may take.
     */
    private record Setting(String key, String option, String variable, Kind kind, long min, long max) {
        Setting(String key, String option, String variable, Kind kind) {
            this(key, option, variable, kind, 0, 0);
        }
    }

    /** The token setting: no flag, so it never shows in a command line, a shell history or ps. */
    private static final String TOKEN = "token";

    private static final List<Setting> SETTINGS = List.of(
            new Setting("server", "--server", "FT_SERVER", Kind.SERVER),
            new Setting("timeout", "--timeout", "FT_TIMEOUT", Kind.WHOLE_NUMBER, 1, 86_400),
            new Setting("retries", "--retries", "FT_RETRIES", Kind.WHOLE_NUMBER, 0, 1_000),
            new Setting("jobs", "--jobs", "FT_JOBS", Kind.WHOLE_NUMBER, 1, 64),
            new Setting("quiet", "--quiet", "FT_QUIET", Kind.BOOLEAN),
            new Setting("tls", "--tls", "FT_TLS", Kind.BOOLEAN),
            new Setting("trust-ca", "--trust-ca", "FT_TRUST_CA", Kind.BOOLEAN),
            new Setting(TOKEN, null, "FT_TOKEN", Kind.SECRET));

    private final Path file;
    /** The file as messages show it. */
    private final String shownFile;

    private final Map<String, String> fromEnv = new HashMap<>();
    private final Map<String, String> fromFile = new HashMap<>();
    private final List<String> warnings = new java.util.ArrayList<>();

    /** Reads the environment's settings and the config file it points to. */
    ConfigDefaults(Map<String, String> env) throws BadConfigException {
        this.file = location(env);
        for (Setting s : SETTINGS) {
            String value = env.get(s.variable());
            // An empty variable is how shells spell "unset" in a one-off `FT_SERVER= ft ...`.
            if (value != null && !value.isBlank()) {
                fromEnv.put(keyOf(s), check(s, value.strip(), s.variable()));
            }
        }
        String shown = shown(file, XdgDirs.home(env));
        this.shownFile = shown;
        boolean chosen = env.get("FT_CONFIG") != null && !env.get("FT_CONFIG").isEmpty();
        List<String> lines = read(file, shown, chosen);
        Map<String, Integer> seenOn = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = shown + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                // A mistyped token line must not be echoed to a terminal or a CI log.
                throw new BadConfigException(where + ": expected 'key = value', got "
                        + (line.startsWith(TOKEN) ? "a line starting with '" + TOKEN + "'" : "'" + line + "'"));
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Setting s = SETTINGS.stream()
                    .filter(x -> x.key().equals(key))
                    .findFirst()
                    .orElseThrow(() -> new BadConfigException(
                            where + ": unknown key '" + key + "' (known keys: " + knownKeys() + ")"));
            Integer earlier = seenOn.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new BadConfigException(where + ": '" + key + "' is already set on line " + earlier);
            }
            fromFile.put(keyOf(s), check(s, value, where + ": '" + key + "'"));
        }
        if (fromFile.containsKey(TOKEN) && readableByOthers(file)) {
            warnings.add("warning: " + shown + " holds a token and can be read by other users; "
                    + "make it private with: chmod 600 " + shown);
        }
    }

    /** Where a setting's value is kept: under its option, or under its key if it has no flag. */
    private static String keyOf(Setting s) {
        return s.option() != null ? s.option() : s.key();
    }

    /**
     * The token for hellos to the {@linkplain #defaultServer() default server}: {@code $FT_TOKEN},
     * else the config file's {@code token}, else null. There is deliberately no flag for it.
     */
    String token() {
        String value = fromEnv.get(TOKEN);
        return value != null ? value : fromFile.get(TOKEN);
    }

    /** Where the token came from, for messages: never the token itself. */
    String tokenSource() {
        return fromEnv.containsKey(TOKEN) ? "FT_TOKEN" : "'token' in " + shownFile;
    }

    /**
     * The server named without {@code -s}: {@code $FT_SERVER}, else the config file's
     * {@code server}, else null (then ft's built-in default). The token of {@link #token()} is
     * bound to it: named together, in the same environment or file.
     */
    String defaultServer() {
        String value = fromEnv.get("--server");
        return value != null ? value : fromFile.get("--server");
    }

    /** Things worth telling the user before the command runs (e.g. a token in a readable file). */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The config file as messages show it ({@code ~/...} under the home directory). */
    static String shownLocation(Map<String, String> env) {
        return shown(location(env), XdgDirs.home(env));
    }

    private static boolean readableByOthers(Path file) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                    || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code $FT_CONFIG}, else {@code $XDG_CONFIG_HOME/ft/config}, else {@code ~/.config/ft/config}. */
    static Path location(Map<String, String> env) {
        String chosen = env.get("FT_CONFIG");
        if (chosen != null && !chosen.isEmpty()) {
            return Path.of(chosen);
        }
        return XdgDirs.config(env).resolve("config");
    }

    /** The file settings were read from, whether or not it exists. */
    Path file() {
        return file;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        if (name.equals(TOKEN) || name.equals("--" + TOKEN)) {
            return null; // never hand the token to an option, even one named like it
        }
        String value = fromEnv.get(name);
        return value != null ? value : fromFile.get(name);
    }

    private static List<String> read(Path file, String shown, boolean chosen) throws BadConfigException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // No file at the usual place just means no config; one named by FT_CONFIG is a mistake.
            if (chosen) {
                throw new BadConfigException(shown + ": no such file (named by FT_CONFIG)");
            }
            return List.of();
        } catch (CharacterCodingException e) {
            throw new BadConfigException(shown + ": not UTF-8 text");
        } catch (IOException e) {
            throw new BadConfigException(shown + ": cannot read: " + e.getMessage());
        }
    }

    /** The value as picocli should see it, or a message naming where it came from. */
    private static String check(Setting s, String value, String where) throws BadConfigException {
        if (value.isEmpty()) {
            throw new BadConfigException(where + " has no value");
        }
        // No value ever has spaces, so this also catches a trailing "# comment".
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new BadConfigException(
                    where + ": " + (s.kind() == Kind.SECRET ? "the value" : "'" + value + "'") + " contains spaces");
        }
        return switch (s.kind()) {
            case SERVER -> {
                String address = value.regionMatches(true, 0, FtCommand.TLS_SCHEME, 0, FtCommand.TLS_SCHEME.length())
                        ? value.substring(FtCommand.TLS_SCHEME.length())
                        : value;
                try {
                    ft.protocol.HostPort.parse(address);
                } catch (IllegalArgumentException e) {
                    throw new BadConfigException(
                            where + ": '" + value + "' is not a server address ([tls://]HOST:PORT): " + e.getMessage());
                }
                yield value;
            }
            case SECRET -> {
                // Never echoed: the value is a credential.
                if (value.length() > ft.protocol.Protocol.MAX_TOKEN_CHARS
                        || value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new BadConfigException(where + " is not a token (printable ASCII, at most "
                            + ft.protocol.Protocol.MAX_TOKEN_CHARS + " characters)");
                }
                yield value;
            }
            case WHOLE_NUMBER -> {
                if (!value.matches("[0-9]{1,9}")) {
                    throw new BadConfigException(where + ": '" + value + "' is not a whole number");
                }
                long n = Long.parseLong(value);
                if (n < s.min() || n > s.max()) {
                    throw new BadConfigException(
                            where + ": " + value + " is not between " + s.min() + " and " + s.max());
                }
                yield value;
            }
            case BOOLEAN ->
                switch (value.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on", "1" -> "true";
                    case "false", "no", "off", "0" -> "false";
                    default ->
                        throw new BadConfigException(
                                where + ": '" + value + "' is not a yes or no (true/false, yes/no, on/off, 1/0)");
                };
        };
    }

    private static String knownKeys() {
        return SETTINGS.stream().map(Setting::key).collect(Collectors.joining(", "));
    }

    /** Paths under the home directory are shown as {@code ~/...}, as people write them. */
    private static String shown(Path file, Path home) {
        Path absolute = file.toAbsolutePath().normalize();
        Path h = home.toAbsolutePath().normalize();
        return absolute.startsWith(h) && !absolute.equals(h) ? "~/" + h.relativize(absolute) : file.toString();
    }

    /** A config file or variable ft cannot use; exits {@link ExitStatus#USAGE}, like any other usage error. */
    static final class BadConfigException extends FtException {
        BadConfigException(String message) {
            super("BAD_CONFIG", Family.CALLER, message, null);
        }
    }
}
