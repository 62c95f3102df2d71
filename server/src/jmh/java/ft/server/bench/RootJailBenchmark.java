package ft.server.bench;

import ft.server.RefusedException;
import ft.server.storage.local.RootJail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Client path to real path, as every request does, on a real directory (in the page cache):
 *
 * <pre>
 * root/a/b/c.txt
 * root/d1/d2/.../d16/leaf.txt
 * root/link -> a/b             a symlink that stays inside the root
 * </pre>
 *
 * Each segment costs an lstat; a symlink adds a realpath. {@code segments} is the lexical
 * check alone, for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RootJailBenchmark {
    private static final String SHALLOW = "a/b/c.txt";
    private static final String DEEP = deepPath(16);
    private static final String THROUGH_SYMLINK = "link/c.txt";

    private Path tmp;
    private RootJail jail;

    @Setup
    public void setUp() throws IOException {
        tmp = Files.createTempDirectory("ft-jmh-rootjail");
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve(SHALLOW), "c");
        Path deep = root.resolve(DEEP);
        Files.createDirectories(deep.getParent());
        Files.writeString(deep, "leaf");
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/b"));
        jail = new RootJail(root);
        Files.createDirectories(jail.stateDir());
        // Fail here rather than measure a refusal.
        for (String p : List.of(SHALLOW, DEEP, THROUGH_SYMLINK)) {
            try {
                jail.resolveExisting(p);
            } catch (RefusedException e) {
                throw new IllegalStateException(p + " was refused: " + e.getMessage(), e);
            }
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) { // does not follow the link
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public Path resolveShallow() throws RefusedException, IOException {
        return jail.resolveExisting(SHALLOW);
    }

    @Benchmark
    public Path resolveDeep() throws RefusedException, IOException {
        return jail.resolveExisting(DEEP);
    }

    @Benchmark
    public Path resolveThroughSymlink() throws RefusedException, IOException {
        return jail.resolveExisting(THROUGH_SYMLINK);
    }

    @Benchmark
    public List<String> segmentsDeep() throws RefusedException {
        return RootJail.segments(DEEP);
    }

    private static String deepPath(int depth) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= depth; i++) {
            b.append('d').append(i).append('/');
        }
        return b.append("leaf.txt").toString();
    }
}
