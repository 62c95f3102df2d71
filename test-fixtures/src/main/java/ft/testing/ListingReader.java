package ft.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import ft.protocol.FrameReader;
import ft.protocol.ListItem;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads list and find streams ({@code {"status":"ok"}}, entry frames, one end frame) over a
 * {@link RawClient}'s connection. Every read is bounded by the client's socket timeout.
 *
 * <p>Works next to RawClient's own reader because RawClient does not buffer (it reads the
 * socket's stream directly), and the buffer used here for one stream can only ever hold
 * bytes of that stream.
 */
public final class ListingReader {
    /** Far more frames than any test produces: a runaway stream fails instead of spinning. */
    private static final int MAX_FRAMES = 1_000_000;

    private ListingReader() {}

    /** A complete stream: its entries in the order sent, and the end frame. */
    public record Listing(List<ListItem.Entry> entries, ListItem.End end) {
        public List<String> paths() {
            return entries.stream().map(ListItem.Entry::path).toList();
        }

        public ListItem.Entry entry(String path) {
            return entries.stream()
                    .filter(e -> e.path().equals(path))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no entry '" + path + "' in " + paths()));
        }
    }

    /** Sends a list request that must be accepted and reads the whole page. */
    public static Listing list(RawClient client, Request.List request) throws IOException {
        return stream(client, request);
    }

    /** Sends a find request that must be accepted and reads the whole stream. */
    public static Listing find(RawClient client, Request.Find request) throws IOException {
        return stream(client, request);
    }

    private static Listing stream(RawClient client, Request request) throws IOException {
        Response r = client.request(request, Response.Ok.class);
        assertInstanceOf(Response.Ok.class, r, () -> request.op() + " refused: " + r);
        return readStream(client);
    }

    /**
     * Reads entry frames up to and including the end frame, which must carry no error and a
     * count equal to the number of entries received.
     */
    public static Listing readStream(RawClient client) throws IOException {
        // Buffering is safe here: the server sends nothing after the end frame until the next
        // request, which cannot have been sent yet, so no byte beyond this stream is taken.
        FrameReader reader =
                new FrameReader(new BufferedInputStream(client.socket().getInputStream(), 64 * 1024));
        List<ListItem.Entry> entries = new ArrayList<>();
        for (int i = 0; i < MAX_FRAMES; i++) {
            byte[] frame;
            try {
                frame = reader.readFrame();
            } catch (ProtocolException e) {
                throw new AssertionError("server sent a malformed frame: " + e.getMessage(), e);
            }
            if (frame == null) {
                fail("server closed the connection in the middle of a listing after " + entries.size() + " entries");
            }
            ListItem item;
            try {
                item = RawClient.CODEC.decodeListItem(frame);
            } catch (ProtocolException e) {
                throw new AssertionError("undecodable list frame: " + new String(frame, StandardCharsets.UTF_8), e);
            }
            switch (item) {
                case ListItem.Entry e -> entries.add(e);
                case ListItem.End end -> {
                    assertNull(end.error(), () -> "the stream ended with an error: " + end.error());
                    assertEquals(entries.size(), end.count(), "the end frame's count must match the entries sent");
                    return new Listing(List.copyOf(entries), end);
                }
            }
        }
        throw new AssertionError("no end frame after " + MAX_FRAMES + " frames");
    }
}
