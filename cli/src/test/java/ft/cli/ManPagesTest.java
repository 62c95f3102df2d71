package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The man pages in {@code docs/man/} are what picocli's {@code ManPageGenerator} makes of the
 * command tree (AsciiDoc, one page per visible command). This test makes them again from the
 * commands as they are and fails when a committed page differs, is missing or is left over, so
 * an option changed in the code cannot leave its page behind. To bring the pages up to date:
 *
 * <pre>
 * mvn -B -o -pl cli -am verify -Dtest=ManPagesTest -Dsurefire.failIfNoSpecifiedTests=false -Dft.man.write=true
 * </pre>
 *
 * <p>AsciiDoc rather than roff: turning them into roff needs Asciidoctor
 * ({@code asciidoctor -b manpage docs/man/ft.adoc}), which the build does not carry.
 */
class ManPagesTest {
    /** The committed pages; tests run in the module's directory. */
    private static final Path COMMITTED = Path.of("..", "docs", "man");

    private static final String REGENERATE = "mvn -B -o -pl cli -am verify -Dtest=ManPagesTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dft.man.write=true";

    /** Every page the generator makes of the whole {@code ft} tree, by file name. */
    private static Map<String, String> generate(Path dir) throws IOException {
        CommandLine cmd = Main.commandLine(new FtCommand(Map.of()));
        forManPage(cmd.getCommandSpec());
        int status = ManPageGenerator.generateManPage(dir.toFile(), null, new boolean[0], false, cmd.getCommandSpec());
        assertThat(status).as("ManPageGenerator's status").isZero();
        return pages(dir);
    }

    /**
     * What the pages need that help does not. The generator writes a footer only under a footer
     * heading, and ft's footers (examples, then notes) have none: help prints them as they are.
     * Here they get the heading their first line gives them ("Examples:"), so the examples
     * reach the pages. And the pages name no version: they are committed, and a version (or
     * "development build", which is what a test run sees) would change them when no command did.
     */
    private static void forManPage(CommandSpec spec) {
        spec.versionProvider(() -> new String[] {"ft"});
        UsageMessageSpec usage = spec.usageMessage();
        List<String> footer = new ArrayList<>(List.of(usage.footer()));
        while (!footer.isEmpty() && footer.getFirst().isBlank()) {
            footer.removeFirst();
        }
        if (!footer.isEmpty()) {
            String first = footer.getFirst();
            if (first.endsWith(":")) {
                footer.removeFirst();
                usage.footerHeading(first.substring(0, first.length() - 1));
            } else {
                usage.footerHeading("Notes");
            }
            usage.footer(footer.toArray(String[]::new));
        }
        for (CommandLine sub : spec.subcommands().values()) {
            forManPage(sub.getCommandSpec());
        }
    }

    private static Map<String, String> pages(Path dir) throws IOException {
        Map<String, String> pages = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return pages;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".adoc")) {
                    pages.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        }
        return pages;
    }

    @Test
    void committedPagesAreWhatTheCommandsGenerate(@TempDir Path tmp) throws IOException {
        Map<String, String> generated = generate(tmp);
        if (Boolean.getBoolean("ft.man.write")) {
            Files.createDirectories(COMMITTED);
            for (String stale : pages(COMMITTED).keySet()) {
                if (!generated.containsKey(stale)) {
                    Files.delete(COMMITTED.resolve(stale));
                }
            }
            for (Map.Entry<String, String> page : generated.entrySet()) {
                Files.writeString(COMMITTED.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
            }
        }
        Map<String, String> committed = pages(COMMITTED);
        assertThat(committed.keySet())
                .as(
                        "the pages in docs/man/ (a command was added, renamed or removed?); regenerate with: %s",
                        REGENERATE)
                .containsExactlyElementsOf(generated.keySet());
        for (Map.Entry<String, String> page : generated.entrySet()) {
            assertThat(committed.get(page.getKey()))
                    .as("docs/man/%s is out of date; regenerate with: %s", page.getKey(), REGENERATE)
                    .isEqualTo(page.getValue());
        }
    }

    @Test
    void everyVisibleCommandHasItsPageAndTheHiddenOneNone(@TempDir Path tmp) throws IOException {
        Map<String, String> generated = generate(tmp);
        assertThat(generated)
                .containsKeys(
                        "ft.adoc",
                        "ft-serve.adoc",
                        "ft-get.adoc",
                        "ft-put.adoc",
                        "ft-ls.adoc",
                        "ft-user.adoc",
                        "ft-user-add.adoc",
                        "ft-completion.adoc");
        // complete-remote is what the completion script runs; help never lists it, nor may man.
        assertThat(generated).doesNotContainKey("ft-complete-remote.adoc");
        assertThat(generated.get("ft-get.adoc"))
                .contains("= ft-get(1)")
                .contains("*--json*")
                .contains("*--limit-rate*")
                .contains("== Examples")
                .contains("ft get -r photos -o backup/");
    }
}
