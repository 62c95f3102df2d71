package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.FrameWriter;
import ft.protocol.Response;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Runs a request whose whole answer is one header, turning a refusal into an error frame
 * and logging one line either way.
 */
final class Replies {
    /** A request handler that answers with one header or refuses. */
    interface Handler {
        Response handle() throws RefusedException, IOException;
    }

    private Replies() {}

    static void answer(FrameWriter writer, SocketAddress client, String op, String path, long start, Handler handler)
            throws IOException {
        answer(writer, client, null, op, path, start, handler);
    }

    /** As above, logging the connection's user ({@code null} for anonymous). */
    static void answer(FrameWriter writer, SocketAddress client, String user, String op, String path, long start,
                       Handler handler) throws IOException {
        String result = "ok";
        try {
            Connection.answer(writer, handler.handle());
        } catch (RefusedException e) {
            result = e.code().name();
            Connection.answer(writer, new Response.Error(e.code(), e.getMessage()));
        } catch (IOException e) {
            // Only the disk can fail inside a handler; the message may hold real paths, so the
            // client gets the kind of failure and the log gets the rest.
            result = "INTERNAL(" + e + ")";
            Connection.answer(writer, new Response.Error(ErrorCode.INTERNAL,
                    op + " failed on the server: " + e.getClass().getSimpleName()));
        } finally {
            AccessLog.request(client, user, op, path, 0, start, result);
        }
    }
}
