package ft.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run as its own process (inside a namespace): accepts one connection on ADDRESS:PORT and writes
 * every byte the client sends, up to 64 KiB or 10 s of silence, to FILE. Prints "listening"
 * once it listens.
 */
public final class CaptureOnce {
    private CaptureOnce() {}

    public static void main(String[] args) throws IOException {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
            System.out.println("listening");
            System.out.flush();
            try (Socket s = listener.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[65_536];
                int total = 0;
                try {
                    for (int n; total < buf.length && (n = in.read(buf, total, buf.length - total)) > 0; ) {
                        total += n;
                    }
                } catch (IOException silentOrClosed) {
                    // what arrived so far is the capture
                }
                Files.write(Path.of(args[2]), java.util.Arrays.copyOf(buf, total));
            }
        }
    }
}
