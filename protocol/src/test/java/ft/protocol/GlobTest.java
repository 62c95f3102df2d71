package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {

    static Stream<Arguments> matchCases() {
        return Stream.of(
                // literals
                arguments("a.txt", "a.txt", true),
                arguments("a.txt", "a.txT", false),
                arguments("a.txt", "a.txt2", false),
                arguments("dir/a.txt", "dir/a.txt", true),
                arguments("dir/a.txt", "a.txt", false),
                arguments("a.b", "a.b", true),
                arguments("a+b(c)|d$^{1}", "a+b(c)|d$^{1}", true),
                // ?
                arguments("?.txt", "a.txt", true),
                arguments("?.txt", ".txt", false),
                arguments("?.txt", "ab.txt", false),
                arguments("a?b", "a/b", false),
                // *
                arguments("*.csv", "x.csv", true),
                arguments("*.csv", ".csv", true),
                arguments("*.csv", "dir/x.csv", false),
                arguments("*", "anything", true),
                arguments("*", "a/b", false),
                arguments("a*b", "ab", true),
                arguments("a*b", "axxxb", true),
                arguments("a*b", "ax/xb", false),
                arguments("logs/*/x", "logs/2024/x", true),
                arguments("logs/*/x", "logs/2024/05/x", false),
                arguments("*a*b", "xaxbxb", true),
                arguments("*a*b", "xaxbx", false),
                // runs of stars that are not a whole segment behave like *
                arguments("a**b", "axyb", true),
                arguments("a**b", "ax/yb", false),
                arguments("***/x", "a/x", true),
                arguments("***/x", "a/b/x", false),
                arguments("x**/y", "x/y", true),
                arguments("x**/y", "xa/b/y", false),
                // ** as a whole segment
                arguments("**", "a", true),
                arguments("**", "a/b/c.txt", true),
                arguments("**/*.csv", "x.csv", true),
                arguments("**/*.csv", "a/b/x.csv", true),
                arguments("**/*.csv", "a/b/x.tsv", false),
                arguments("**/x", "x", true),
                arguments("**/x", "a/x", true),
                arguments("**/x", "a/bx", false),
                arguments("a/**/b", "a/b", true),
                arguments("a/**/b", "a/x/b", true),
                arguments("a/**/b", "a/x/y/z/b", true),
                arguments("a/**/b", "a/x/y/z/c", false),
                arguments("a/**/b", "ab", false),
                arguments("a/**/b", "x/a/b", false),
                arguments("a/**", "a/x", true),
                arguments("a/**", "a/x/y", true),
                arguments("a/**", "a", false),
                arguments("a/**", "ab/x", false),
                arguments("**/**/x", "x", true),
                arguments("**/**/x", "p/q/r/x", true),
                arguments("a/**/b/**/c", "a/b/c", true),
                arguments("a/**/b/**/c", "a/1/b/2/3/c", true),
                arguments("a/**/b/**/c", "a/1/c", false),
                // classes
                arguments("[abc].txt", "b.txt", true),
                arguments("[abc].txt", "d.txt", false),
                arguments("file[0-9].log", "file7.log", true),
                arguments("file[0-9].log", "filex.log", false),
                arguments("file[0-9].log", "file10.log", false),
                arguments("[a-cx-z]", "y", true),
                arguments("[a-cx-z]", "m", false),
                arguments("[!abc].txt", "d.txt", true),
                arguments("[!abc].txt", "a.txt", false),
                arguments("[^abc].txt", "d.txt", true),
                arguments("[^abc].txt", "c.txt", false),
                arguments("a[!x]b", "a/b", false),
                arguments("a[^x]b", "a/b", false),
                arguments("a[/]b", "a/b", false),
                arguments("[]]", "]", true),
                arguments("[]a]", "a", true),
                arguments("[!]]", "]", false),
                arguments("[!]]", "x", true),
                arguments("[a-]", "-", true),
                arguments("[-a]", "-", true),
                arguments("[\\]x]", "]", true),
                arguments("[*?]", "*", true),
                arguments("[*?]", "a", false),
                // unterminated [ is a literal
                arguments("a[bc", "a[bc", true),
                arguments("a[bc", "ab", false),
                arguments("[", "[", true),
                arguments("[]", "[]", true),
                // escapes
                arguments("\\*", "*", true),
                arguments("\\*", "a", false),
                arguments("a\\?b", "a?b", true),
                arguments("a\\?b", "axb", false),
                arguments("\\[a]", "[a]", true),
                arguments("\\[a]", "a", false),
                arguments("a\\\\b", "a\\b", true),
                arguments("\\a", "a", true),
                arguments("\\*\\*/x", "**/x", true),
                arguments("\\*\\*/x", "a/x", false),
                // unicode
                arguments("données/*.csv", "données/été.csv", true),
                arguments("données/*.csv", "donnees/ete.csv", false),
                arguments("?.txt", "é.txt", true),
                arguments("?.txt", "😀.txt", true),
                arguments("??.txt", "😀.txt", false),
                arguments("*😀*", "a😀b", true),
                arguments("[😀😁].png", "😁.png", true),
                arguments("[😀😁].png", "😂.png", false),
                arguments("[😀-😂].png", "😁.png", true),
                arguments("[!😀].png", "😁.png", true),
                arguments("[!😀].png", "😀.png", false),
                arguments("\\😀", "😀", true));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
    @MethodSource("matchCases")
    void matchesWholePathAccordingToSyntax(String pattern, String path, boolean expected) {
        assertEquals(expected, Glob.compile(pattern).matches(path), () -> pattern + " vs " + path);
    }

    static Stream<Arguments> wildcardCases() {
        return Stream.of(
                arguments("plain/file.txt", false),
                arguments("données/😀.txt", false),
                arguments("*.txt", true),
                arguments("a?c", true),
                arguments("[ab]", true),
                arguments("a[bc", true),
                arguments("**/x", true),
                arguments("\\*.txt", false),
                arguments("a\\?c\\[d", false),
                arguments("a\\\\*", true),
                arguments("a]b!c^d-e", false));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @MethodSource("wildcardCases")
    void hasWildcardsDetectsUnescapedStarQuestionAndBracket(String pattern, boolean expected) {
        assertEquals(expected, Glob.hasWildcards(pattern));
    }

    static Stream<Arguments> prefixCases() {
        return Stream.of(
                arguments("logs/2024/*.gz", "logs/2024"),
                arguments("logs/2024/x.gz", "logs/2024"),
                arguments("*.csv", ""),
                arguments("x.csv", ""),
                arguments("**/x", ""),
                arguments("a/**", "a"),
                arguments("a/**/b", "a"),
                arguments("a/b*/c", "a"),
                arguments("a/b?/c/*", "a"),
                arguments("a/[bc]/d", "a"),
                arguments("a\\*b/c/*", "a*b/c"),
                arguments("données/été/*", "données/été"),
                arguments("😀/*", "😀"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> \"{1}\"")
    @MethodSource("prefixCases")
    void literalPrefixDirectoryIsTheLeadingWildcardFreeSegments(String pattern, String expected) {
        assertEquals(expected, Glob.compile(pattern).literalPrefixDirectory());
    }

    static Stream<Arguments> belowCases() {
        return Stream.of(
                arguments("logs/*.gz", "logs", true),
                arguments("logs/*.gz", "other", false),
                arguments("logs/*.gz", "logs/sub", false),
                arguments("logs/*.gz", "log", false),
                arguments("logs/*/x", "logs/2024", true),
                arguments("logs/*/x", "logs/2024/05", false),
                arguments("**/x", "a", true),
                arguments("**/x", "a/b/c/d", true),
                arguments("**", "z/y", true),
                arguments("a/**", "a/q/r", true),
                arguments("a/**", "b", false),
                arguments("a/**/b", "a/x/y", true),
                arguments("a/**/b", "c", false),
                arguments("*/x", "anything", true),
                arguments("*/x", "any/thing", false),
                arguments("[ab]/x", "a", true),
                arguments("[ab]/x", "c", false),
                arguments("données/*", "données", true),
                arguments("données/*", "donnees", false),
                arguments("x.txt", "x.txt", false),
                arguments("*.csv", "", true));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" below \"{1}\" -> {2}")
    @MethodSource("belowCases")
    void mayMatchBelowPrunesOnlySubtreesThatCannotMatch(String pattern, String dir, boolean expected) {
        assertEquals(expected, Glob.compile(pattern).mayMatchBelow(dir));
    }

    static Stream<String> invalidPatterns() {
        return Stream.of("", "/abs", "/", "\\/abs", "a\\", "[z-a]", "x".repeat(4097));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("invalidPatterns")
    void compileRejectsInvalidPatterns(String pattern) {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(pattern));
    }

    @Test
    void compileAcceptsAPatternOfExactlyTheMaximumLength() {
        String pattern = "x".repeat(4096);
        assertTrue(Glob.compile(pattern).matches(pattern));
    }

    @Test
    void manyStarsWithRepeatedLettersFailQuicklyOnALongNonMatchingPath() {
        Glob glob = Glob.compile("*a".repeat(50) + "b");
        String path = "a".repeat(10_000);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertFalse(glob.matches(path)));
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertTrue(glob.matches(path + "b")));
    }

    @Test
    void manyGlobstarsFinishQuicklyOnADeepPath() {
        Glob glob = Glob.compile("**/".repeat(30) + "x");
        String deep = "seg/".repeat(200);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertTrue(glob.matches(deep + "x"));
            assertFalse(glob.matches(deep + "y"));
            assertTrue(glob.mayMatchBelow(deep + "z"));
        });
    }

    @Test
    void aThousandStarsAgainstAMaximalPathFinishQuickly() {
        Glob stars = Glob.compile("*".repeat(1000));
        Glob starsAndLetters = Glob.compile("*a".repeat(2000) + "*b");
        String path = "a".repeat(4096);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertTrue(stars.matches(path));
            assertFalse(stars.matches(path + "/a"));
            assertFalse(starsAndLetters.matches(path));
        });
    }

    @Test
    void agreesWithARecursiveReferenceMatcherOnRandomPatterns() {
        long seed = 0x6c6f6273L;
        Random random = new Random(seed);
        String patternAlphabet = "ab/*?";
        String pathAlphabet = "ab/";
        int matched = 0;
        for (int i = 0; i < 2000; i++) {
            String pattern = randomString(random, patternAlphabet, 1 + random.nextInt(8));
            if (pattern.startsWith("/")) {
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Glob.compile(pattern),
                        "seed " + seed + ", pattern " + pattern);
                continue;
            }
            Glob glob = Glob.compile(pattern);
            String prefix = glob.literalPrefixDirectory();
            for (int j = 0; j < 20; j++) {
                String path = randomString(random, pathAlphabet, random.nextInt(11));
                String where = "seed " + seed + ", pattern \"" + pattern + "\", path \"" + path + "\"";
                boolean expected = Reference.matches(pattern, path);
                assertEquals(expected, glob.matches(path), where);
                if (!expected) {
                    continue;
                }
                matched++;
                if (!prefix.isEmpty()) {
                    assertTrue(path.startsWith(prefix + "/"), where + ", prefix " + prefix);
                }
                for (int k = path.indexOf('/'); k >= 0; k = path.indexOf('/', k + 1)) {
                    assertTrue(glob.mayMatchBelow(path.substring(0, k)), where + ", directory " + path.substring(0, k));
                }
            }
        }
        assertTrue(matched > 1000, "too few positive cases to be meaningful: " + matched);
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Obviously correct, exponential matcher for patterns over {a, b, /, *, ?}. */
    private static final class Reference {
        static boolean matches(String pattern, String path) {
            return segments(pattern.split("/", -1), 0, path.split("/", -1), 0);
        }

        private static boolean segments(String[] ps, int pi, String[] xs, int xi) {
            if (pi == ps.length) {
                return xi == xs.length;
            }
            if (ps[pi].equals("**")) {
                if (pi == ps.length - 1 && pi > 0) {
                    return xi < xs.length; // trailing /**: one or more segments below
                }
                for (int k = xi; k <= xs.length; k++) {
                    if (segments(ps, pi + 1, xs, k)) {
                        return true;
                    }
                }
                return false;
            }
            return xi < xs.length && segment(ps[pi], 0, xs[xi], 0) && segments(ps, pi + 1, xs, xi + 1);
        }

        private static boolean segment(String p, int i, String s, int j) {
            if (i == p.length()) {
                return j == s.length();
            }
            char c = p.charAt(i);
            if (c == '*') {
                return segment(p, i + 1, s, j) || (j < s.length() && segment(p, i, s, j + 1));
            }
            return j < s.length() && (c == '?' || c == s.charAt(j)) && segment(p, i + 1, s, j + 1);
        }
    }
}
