package ft.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the ITs look at in a file tree: sizes, names, how far a partial upload got. */
final class TestFiles {
    private TestFiles() {}

    /** The file's size, or 0 while it does not exist (or vanished while asked). */
    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException missing) {
            return 0;
        }
    }

    /** Names in {@code dir}, sorted; empty if it does not exist. */
    static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The largest {@code *.part} file in {@code partials} (a server's {@code ROOT/.ft/partials}),
     * 0 if there is none: how far an interrupted upload got.
     */
    static long largestPart(Path partials) {
        try {
            return names(partials).stream()
                    .filter(n -> n.endsWith(".part"))
                    .mapToLong(n -> size(partials.resolve(n)))
                    .max()
                    .orElse(0);
        } catch (IOException vanished) {
            return 0;
        }
    }
}
