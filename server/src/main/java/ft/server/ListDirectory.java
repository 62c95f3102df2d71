package ft.server;

import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.ListItem;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.Entry;
import ft.server.storage.ListPage;
import java.io.IOException;

/**
 * Answers list with one sorted page of a directory. The storage picks the page with memory for
 * that page only, never for the whole directory; the client asks for the next page after the
 * last name it got. The whole page is in hand before the answer starts, so a failure of the
 * directory is answered with an error frame rather than cutting the listing off.
 *
 * <p>A page holds at most {@link #MAX_PAGE_ENTRIES} names, whatever the client asked for (the
 * protocol lets a page be shorter; {@code more} and {@code after} fetch the rest), and its
 * memory is taken from the server's buffer budget while it is in hand: a thousand clients
 * listing large directories at once wait for each other instead of exhausting the heap.
 */
final class ListDirectory {
    private static final HeaderCodec CODEC = new HeaderCodec();
    /** Most names one page holds here: 10 000 would be up to 10 MB of names per request. */
    static final int MAX_PAGE_ENTRIES = 1_000;
    /** Heap one listed entry may take: a 255-byte name as UTF-16 and its Entry, with margin. */
    static final int BYTES_PER_ENTRY = 1_024;

    private ListDirectory() {}

    static void handle(Request.List request, RequestContext ctx) throws RefusedException, IOException {
        // A budget set smaller than a full page still lists, in shorter pages.
        long fits = Math.max(1, ctx.services().buffers().capacity() / BYTES_PER_ENTRY);
        int limit = (int) Math.min(request.limit(), Math.min(MAX_PAGE_ENTRIES, fits));
        long pageBytes = (long) limit * BYTES_PER_ENTRY;
        ctx.services().buffers().acquire(pageBytes);
        try {
            send(ctx, ctx.storage().list(request.path(), request.after(), limit));
        } finally {
            ctx.services().buffers().release(pageBytes);
        }
    }

    private static void send(RequestContext ctx, ListPage page) throws IOException {
        ctx.answer(new Response.Ok());
        ctx.phase(RequestContext.Phase.SENDING);
        FrameWriter writer = ctx.writer();
        for (Entry e : page.entries()) {
            writer.writeFrame(CODEC.encode(new ListItem.Entry(e.name(), e.type(), e.size(), e.mtime())));
            ctx.bytes(ctx.bytes() + 1);
        }
        writer.writeFrame(CODEC.encode(new ListItem.End(page.entries().size(), page.more(), null)));
        writer.flush();
    }
}
