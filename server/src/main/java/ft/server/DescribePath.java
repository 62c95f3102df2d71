package ft.server;

import ft.protocol.EntryType;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.Entry;
import ft.server.storage.Storage;
import java.io.IOException;

/** Answers stat: what a path is, and for a file its MD5 (from the storage's digests). */
final class DescribePath {
    private DescribePath() {}

    static void stat(Request.Stat request, RequestContext ctx) throws RefusedException, IOException {
        Storage storage = ctx.storage();
        Stable.Found found = Stable.find(storage, request.path(), ctx.keepalive(request.keepaliveMs()));
        Entry e = found.entry();
        Md5 md5 = e.type() == EntryType.FILE ? found.md5() : null;
        ctx.answer(new Response.StatOk(e.name(), e.type(), e.type() == EntryType.FILE ? e.size() : 0, e.mtime(), md5));
    }
}
