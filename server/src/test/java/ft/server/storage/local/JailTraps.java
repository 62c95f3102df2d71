package ft.server.storage.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The traps {@link RootJailPropertyTest} and {@link RootJailFuzzTest} resolve paths among: a
 * sibling {@code root2} sharing the root's name as a prefix with a secret in it, symlinks
 * leading out to it, into the state directory and in a circle, and plain files and directories
 * inside.
 */
final class JailTraps {
    private JailTraps() {}

    /** Lays the traps in {@code root}, with {@code outside} as its sibling {@code root2}. */
    static void lay(Path root, Path outside) throws IOException {
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/file.txt"), "inside");
        Files.createDirectories(root.resolve(RootJail.STATE_DIR).resolve("partials"));
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../../root2/secret.txt"));
        Files.createSymbolicLink(root.resolve("in"), Path.of("a"));
        Files.createSymbolicLink(root.resolve("state"), Path.of(RootJail.STATE_DIR));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
    }

    /** Everything under {@code dir}, relative to it, sorted. */
    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
