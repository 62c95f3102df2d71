package ft.server;

import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;

/** Answers mkdir, rm and mv. Each acts on names inside the root and never follows a final symlink. */
final class EditTree {
    private EditTree() {}

    static void mkdir(Request.MakeDirectory request, RequestContext ctx) throws RefusedException, IOException {
        ctx.storage().makeDirectory(request.path(), request.parents());
        ctx.answer(new Response.Ok());
    }

    static void rm(Request.Remove request, RequestContext ctx) throws RefusedException, IOException {
        ctx.storage().remove(request.path(), request.recursive());
        ctx.answer(new Response.Ok());
    }

    static void mv(Request.Move request, RequestContext ctx) throws RefusedException, IOException {
        ctx.storage().move(request.from(), request.to());
        ctx.answer(new Response.Ok());
    }
}
