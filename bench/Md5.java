import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The in-process floor for bench/run: MD5 of a file with the JDK's MessageDigest, timed
 * inside the JVM (start-up excluded). Prints "md5 seconds".
 * Run as a single-file source: java bench/Md5.java FILE
 */
public class Md5 {
    public static void main(String[] args) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] buf = new byte[1 << 20];
        long t0 = System.nanoTime();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        byte[] digest = md.digest();
        long t1 = System.nanoTime();
        System.out.printf("%s %.6f%n", HexFormat.of().formatHex(digest), (t1 - t0) / 1e9);
    }
}
