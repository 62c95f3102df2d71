package ft.client;

import java.nio.file.Path;
import java.util.Map;

/**
 * ft's own directories as the XDG Base Directory spec places them: under {@code
 * $XDG_CONFIG_HOME} or {@code $XDG_CACHE_HOME} when set to an absolute path (the spec says a
 * relative one is invalid and must be ignored), else under {@code ~/.config} or {@code ~/.cache}.
 * {@code HOME} comes from {@code env} so that tests and callers can choose it.
 */
public final class XdgDirs {
    private XdgDirs() {}

    /** {@code $XDG_CONFIG_HOME/ft}, else {@code ~/.config/ft}. */
    public static Path config(Map<String, String> env) {
        return base(env, "XDG_CONFIG_HOME", ".config").resolve("ft");
    }

    /** {@code $XDG_CACHE_HOME/ft}, else {@code ~/.cache/ft}. */
    public static Path cache(Map<String, String> env) {
        return base(env, "XDG_CACHE_HOME", ".cache").resolve("ft");
    }

    /** {@code $HOME}, else the JVM's {@code user.home}. */
    public static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
    }

    private static Path base(Map<String, String> env, String variable, String underHome) {
        String xdg = env.get(variable);
        return xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : home(env).resolve(underHome);
    }
}
