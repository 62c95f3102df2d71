package ft.server.storage.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What the path-race tests share: a canary directory outside the served root with known files
 * (whose contents and listing must never change), and a racer thread that swaps a directory
 * inside the root for a symlink to the canary and back, as fast as it can, with rename(2).
 */
final class RaceFixture {
    /** How long one attack loop may run, at most. */
    static final long MAX_NANOS = 3_000_000_000L;
    /** How many attempts one attack loop makes, at most. */
    static final int MAX_ATTEMPTS = 2_000;

    static final String CANARY_SECRET = "CANARY: outside the root";
    static final String CANARY_ONLY = "canary-only.txt";
    /** How many files named {@code f0}, {@code f1} … the canary and the attacked directory both hold. */
    static final int FILES = 64;

    private RaceFixture() {}

    /** Makes the canary {@code dir}: a secret, a file of a name only it has, and a subdirectory. */
    static Path canary(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("keep"));
        Files.writeString(dir.resolve("secret"), CANARY_SECRET);
        Files.writeString(dir.resolve(CANARY_ONLY), "only here");
        Files.writeString(dir.resolve("keep/inner.txt"), "inner");
        Files.writeString(dir.resolve("m.txt"), "canary's m");
        for (int i = 0; i < FILES; i++) {
            // Names the swapped directory inside the root has too: a path walked again reaches these.
            Files.writeString(dir.resolve("f" + i), "canary's f" + i);
        }
        return dir;
    }

    /** Everything under {@code dir} (links not followed): relative path to content, "<dir>" or "<link>". */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String key = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    all.put(key, "<link>");
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    all.put(key, "<dir>");
                } else {
                    all.put(key, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
        }
        return all;
    }

    /** Whether an attack loop that began at {@code start} after {@code attempts} may go on. */
    static boolean goOn(long start, int attempts) {
        return attempts < MAX_ATTEMPTS && System.nanoTime() - start < MAX_NANOS;
    }

    /**
     * Swaps the real directory {@code dir} with a symlink to {@code target} and back until
     * closed; on close {@code dir} is the real directory again.
     */
    static final class Racer implements AutoCloseable {
        private final Path dir;
        private final Path aside;
        private final Path link;
        private final Path target;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong swaps = new AtomicLong();
        private final Thread thread;

        Racer(Path dir, Path target) throws IOException {
            this.dir = dir;
            this.aside = dir.resolveSibling(dir.getFileName() + ".real");
            this.link = dir.resolveSibling(dir.getFileName() + ".link");
            this.target = target;
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
            this.thread = Thread.ofPlatform().name("racer").start(this::run);
        }

        private void run() {
            while (!stop.get()) {
                try {
                    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(link, dir, StandardCopyOption.ATOMIC_MOVE);
                    Thread.onSpinWait();
                    Files.move(dir, link, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
                    swaps.incrementAndGet();
                } catch (IOException e) {
                    // The operation under attack removed or moved a name: put things back below.
                    restore();
                }
            }
        }

        /**
         * Puts the real directory back under its name and the link beside it, whatever the
         * operation under attack did meanwhile: a directory it made in the gap between two
         * renames (a put or mkdir -p makes missing parents) is removed, as an attacker would.
         */
        private void restore() {
            try {
                if (Files.isSymbolicLink(dir)) {
                    Files.move(dir, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                if (Files.isDirectory(aside, LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        JailTraps.deleteTree(dir);
                    }
                    Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
                }
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, target);
                }
            } catch (IOException | java.io.UncheckedIOException gone) {
                // The whole tree may have been removed: nothing to put back.
            }
        }

        /** Returns once the racer has swapped at least once (or a second has passed), so the attack starts in the race. */
        void awaitSwapping() {
            long until = System.nanoTime() + 1_000_000_000L;
            while (swaps.get() == 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }

        long swaps() {
            return swaps.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
            restore();
        }
    }
}
