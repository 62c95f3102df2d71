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
 */
final class ListDirectory {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private ListDirectory() {}

    static void handle(Request.List request, RequestContext ctx) throws RefusedException, IOException {
        ListPage page = ctx.storage().list(request.path(), request.after(), request.limit());
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
