package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md and docs/ send readers to files, headings and classes; this test fails when one of
 * them is not there, so moving a file or renaming a heading cannot leave a dead pointer behind.
 * It checks, outside fenced code blocks: every relative Markdown link (the file, and the
 * heading when the link names one, by GitHub's rule for heading anchors); every inline-code
 * path into the repository (a span that starts with one of its top-level directories, such as
 * {@code cli/src/main/java/ft/cli/PathArguments.java}; build output under {@code target/} and
 * patterns are left alone); and every test class named in inline code ({@code FaultIT},
 * {@code ManPagesTest}).
 */
class DocLinksTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Directories and files at the top of the repository that inline code may point into. */
    private static final Set<String> TOP = Set.of(
            "protocol",
            "transfer",
            "server",
            "client",
            "cli",
            "integration-tests",
            "test-fixtures",
            "docs",
            "bench",
            "scripts",
            "docker",
            ".ci",
            "Dockerfile",
            "ft",
            "run-tests",
            "pom.xml",
            "README.md");

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern TEST_CLASS = Pattern.compile("[A-Z][A-Za-z0-9]*(IT|Test)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    /** What a check of some documents found: the problems, and how many pointers it followed. */
    record Report(List<String> problems, int checked) {}

    /** The documents this repository's readers start from: README.md and everything under docs/. */
    private static List<Path> documents(Path root) throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> walk = Files.walk(root.resolve("docs"))) {
            walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    static Report check(Path root, List<Path> docs) throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        Set<String> javaFiles = javaFileNames(root);
        Map<Path, Set<String>> anchorCache = new HashMap<>();
        for (Path doc : docs) {
            String where = root.relativize(doc).toString();
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            boolean fenced = false;
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n);
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                String at = where + ":" + (n + 1) + ": ";
                // Links first, on the line without its inline code (a link inside code is text).
                Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("^[a-z]+:.*")) {
                        continue; // https:, mailto: ...: not this repository's
                    }
                    checked++;
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    Path to =
                            file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                    if (!to.startsWith(root) || !Files.exists(to)) {
                        problems.add(at + "link to " + target + ": no such file");
                    } else if (anchor != null && !anchorsOf(to, anchorCache).contains(anchor)) {
                        problems.add(at + "link to " + target + ": no heading with anchor #" + anchor);
                    }
                }
                Matcher code = CODE.matcher(line);
                while (code.find()) {
                    String span = code.group(1).strip();
                    String first = span.split("\\s+")[0];
                    if (first.startsWith("./")) {
                        first = first.substring(2);
                    }
                    if (TEST_CLASS.matcher(span).matches()) {
                        checked++;
                        if (!javaFiles.contains(span + ".java")) {
                            problems.add(at + "test class " + span + ": no " + span + ".java in the tree");
                        }
                        continue;
                    }
                    if (!isRepositoryPath(first)) {
                        continue;
                    }
                    checked++;
                    if (!Files.exists(root.resolve(first))) {
                        problems.add(at + "path " + first + ": no such file or directory");
                    }
                }
            }
        }
        return new Report(problems, checked);
    }

    /** A path into the repository that should exist in a clean clone: not build output, not a pattern. */
    private static boolean isRepositoryPath(String s) {
        if (s.contains("*") || s.contains("$") || s.contains("{") || s.contains("<")) {
            return false;
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            return s.equals("Dockerfile") || s.equals("run-tests") || s.equals("pom.xml");
        }
        String top = s.substring(0, slash);
        // "ft" is the launcher script, never a directory: ft/... is a package name, not a path.
        return TOP.contains(top) && !top.equals("ft") && !s.contains("/target/");
    }

    private static Set<String> javaFileNames(Path root) throws IOException {
        Set<String> names = new HashSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".java") && !p.toString().contains("/target/"))
                    .forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    private static Set<String> anchorsOf(Path file, Map<Path, Set<String>> cache) throws IOException {
        if (Files.isDirectory(file) || !file.toString().endsWith(".md")) {
            return Set.of();
        }
        Set<String> known = cache.get(file);
        if (known != null) {
            return known;
        }
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (fenced || !h.matches()) {
                continue;
            }
            String slug = slug(h.group(1));
            int times = seen.merge(slug, 1, Integer::sum);
            anchors.add(times == 1 ? slug : slug + "-" + (times - 1));
        }
        cache.put(file, anchors);
        return anchors;
    }

    /** GitHub's anchor for a heading: link text kept, lower case, punctuation dropped, spaces to '-'. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}_\\- ]", "")
                .replace(' ', '-');
    }

    @Test
    void everyLinkPathAndTestClassInTheReadmeAndDocsExists() throws IOException {
        Report report = check(ROOT, documents(ROOT));
        assertThat(report.problems()).as("dead pointers in README.md and docs/").isEmpty();
        // Not vacuous: the README and docs point at many things.
        assertThat(report.checked()).isGreaterThan(50);
    }

    @Test
    void slugsAreGitHubs() {
        assertThat(slug("Exit codes")).isEqualTo("exit-codes");
        assertThat(slug("`ft serve`")).isEqualTo("ft-serve");
        assertThat(slug("The `./ft` launcher and its start-up archive"))
                .isEqualTo("the-ft-launcher-and-its-start-up-archive");
        assertThat(slug("Remote file management: `ls`, `stat`, `mkdir`, `mv`, `rm`"))
                .isEqualTo("remote-file-management-ls-stat-mkdir-mv-rm");
    }

    @Test
    void aDeadPointerOfEachKindIsReported(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("bench"));
        Files.writeString(root.resolve("docs/A.md"), "# A\n\n## Real heading\n");
        Files.writeString(
                root.resolve("README.md"),
                String.join(
                        "\n",
                        "[ok](docs/A.md#real-heading) [missing file](docs/B.md) [missing heading](docs/A.md#nope)",
                        "`bench/gone` `bench/` `cli/target/ft.jar` `NoSuchIT` `logs/app.log`",
                        "```",
                        "[in a code block](nowhere.md) `bench/also-gone`",
                        "```",
                        ""));
        Report report = check(root, List.of(root.resolve("README.md")));
        assertThat(report.problems())
                .containsExactly(
                        "README.md:1: link to docs/B.md: no such file",
                        "README.md:1: link to docs/A.md#nope: no heading with anchor #nope",
                        "README.md:2: path bench/gone: no such file or directory",
                        "README.md:2: test class NoSuchIT: no NoSuchIT.java in the tree");
        // Three links, bench/gone, bench/ and the test class; build output and non-paths skipped.
        assertThat(report.checked()).isEqualTo(6);
    }
}
