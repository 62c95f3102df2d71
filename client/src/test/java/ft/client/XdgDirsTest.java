package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where ft keeps its config and its cache, by the XDG Base Directory spec. */
class XdgDirsTest {
    private static void assertConfig(Map<String, String> env, Path expected) {
        assertThat(XdgDirs.config(env)).as("config for %s", env).isEqualTo(expected);
    }

    @Test
    void configFollowsXdgConfigHomeThenHome() {
        assertConfig(Map.of("XDG_CONFIG_HOME", "/x/cfg", "HOME", "/home/u"), Path.of("/x/cfg/ft"));
        assertConfig(Map.of("HOME", "/home/u"), Path.of("/home/u/.config/ft"));
        // The XDG spec: a relative or empty XDG_CONFIG_HOME is ignored.
        assertConfig(Map.of("XDG_CONFIG_HOME", "rel", "HOME", "/home/u"), Path.of("/home/u/.config/ft"));
        assertConfig(Map.of("XDG_CONFIG_HOME", "", "HOME", "/home/u"), Path.of("/home/u/.config/ft"));
        assertConfig(Map.of(), Path.of(System.getProperty("user.home"), ".config", "ft"));
    }

    @Test
    void cacheFollowsXdgCacheHomeThenHome() {
        assertThat(XdgDirs.cache(Map.of("XDG_CACHE_HOME", "/var/cache/me", "HOME", "/home/me")))
                .isEqualTo(Path.of("/var/cache/me/ft"));
        assertThat(XdgDirs.cache(Map.of("HOME", "/home/me"))).isEqualTo(Path.of("/home/me/.cache/ft"));
        assertThat(XdgDirs.cache(Map.of("XDG_CACHE_HOME", "relative", "HOME", "/home/me")))
                .as("a relative XDG_CACHE_HOME is ignored, as the XDG spec says")
                .isEqualTo(Path.of("/home/me/.cache/ft"));
        assertThat(XdgDirs.cache(Map.of("XDG_CACHE_HOME", "/var/cache/me")))
                .as("the config directory is another")
                .isNotEqualTo(XdgDirs.config(Map.of("XDG_CACHE_HOME", "/var/cache/me")));
    }
}
