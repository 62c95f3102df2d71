package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link Glob}, which compiles patterns that clients send
 * with {@code find}.
 *
 * <p>The input is UTF-8 text: a pattern, then paths, each after a NUL byte. An escape
 * {@code \}{@code uD800}..{@code \}{@code uDFFF} in the text stands for that lone surrogate, which
 * JSON can carry and UTF-8 cannot. Whatever the pattern, {@link Glob#compile} returns a glob or
 * throws {@link IllegalArgumentException} (its documented refusal), and nothing else; matching
 * never throws and takes time in proportion to pattern × path (the timeout). A path that matches
 * lies below {@link Glob#literalPrefixDirectory()}, and {@link Glob#mayMatchBelow} is true for
 * every directory above it; a pattern without wildcards or escapes matches exactly itself.
 *
 * <p>The normal test run replays the committed corpus in
 * {@code src/test/resources/ft/protocol/GlobFuzzTestInputs/}; {@code -Pfuzz} fuzzes.
 */
class GlobFuzzTest {
    private static final Pattern SURROGATE_ESCAPE = Pattern.compile("\\\\u([dD][89a-fA-F][0-9a-fA-F]{2})");

    /** The input as text, with surrogate escapes turned into the lone surrogates they name. */
    static String text(byte[] input) {
        return SURROGATE_ESCAPE
                .matcher(new String(input, StandardCharsets.UTF_8))
                .replaceAll(m -> String.valueOf((char) Integer.parseInt(m.group(1), 16)));
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void globsCompileAndMatchOrAreRefused(byte[] input) {
        List<String> parts = Arrays.asList(text(input).split("\0", -1));
        String pattern = parts.getFirst();
        List<String> paths = parts.subList(1, parts.size());
        Glob glob;
        try {
            glob = Glob.compile(pattern);
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage());
            return;
        }
        assertEquals(pattern, glob.pattern());
        boolean plain = !Glob.hasWildcards(pattern) && pattern.indexOf('\\') < 0;
        if (plain) {
            assertTrue(glob.matches(pattern), () -> "a plain pattern does not match itself: " + glob);
        }
        String prefix = glob.literalPrefixDirectory();
        for (String path : paths) {
            boolean matches = glob.matches(path);
            glob.mayMatchBelow(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            if (plain) {
                assertEquals(path.equals(pattern), matches, () -> glob + " on '" + path + "'");
            }
            if (!matches) {
                continue;
            }
            assertTrue(
                    prefix.isEmpty() || path.startsWith(prefix + "/"),
                    () -> glob + " matched '" + path + "' outside its prefix directory '" + prefix + "'");
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                String directory = path.substring(0, slash);
                if (!directory.endsWith("/")) {
                    assertTrue(
                            glob.mayMatchBelow(directory),
                            () -> glob + " matched '" + path + "' but mayMatchBelow('" + directory + "') is false");
                }
            }
        }
    }
}
