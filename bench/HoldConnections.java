import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server-memory load for bench/run: opens COUNT connections to an ft server on loopback,
 * completes the hello on each (so each is a real, admitted session), then holds them open
 * until READY_FILE is deleted or HOLD_SECONDS pass, whichever comes first, and closes them.
 * Source addresses are spread over 127.0.0.2 … at 50 per address, under the server's
 * per-address limit. Writes "open COUNT" to READY_FILE once every hello was answered ok.
 *
 * Run as a single-file source: java bench/HoldConnections.java HOST:PORT COUNT READY_FILE HOLD_SECONDS
 */
public class HoldConnections {
    private static final int PER_ADDRESS = 50;

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(hostPort[0]),
                Integer.parseInt(hostPort[1]));
        int count = Integer.parseInt(args[1]);
        Path ready = Path.of(args[2]);
        long holdUntil = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        byte[] hello = "{\"op\":\"hello\",\"version\":1}".getBytes(StandardCharsets.UTF_8);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                int host = 2 + i / PER_ADDRESS;
                Socket s = new Socket();
                sockets.add(s);
                s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host}), 0));
                s.connect(server, 10_000);
                s.setSoTimeout(30_000);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(hello.length);
                out.write(hello);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] answer = new byte[in.readInt()];
                in.readFully(answer);
                String text = new String(answer, StandardCharsets.UTF_8);
                if (!text.contains("\"status\":\"ok\"")) {
                    throw new IOException("connection " + i + " was answered " + text);
                }
            }
            Files.writeString(ready, "open " + sockets.size() + "\n");
            while (Files.exists(ready) && System.nanoTime() < holdUntil) {
                Thread.sleep(50); // polling a file the caller deletes; nothing here is timed
            }
        } finally {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
