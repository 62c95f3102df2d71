package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.StoreUnavailableException;
import ft.transfer.Body;
import ft.transfer.BufferBudget;
import ft.transfer.NoSpaceException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a request's failure becomes a wire code, decided by the failure's type,
 * never by its message text, and where the request's access log line is written.
 *
 * <ul>
 *   <li>{@link RefusedException}: its own code, and the connection goes on.</li>
 *   <li>{@link NoSpaceException} from storage: {@code NO_SPACE}; any other {@link IOException}
 *       from storage: {@code INTERNAL}, naming only the kind of failure (the message may hold
 *       the server's real paths); {@link BufferBudget.ShortOfMemoryException}: {@code BUSY}
 *       (the transfer waited as long as a client may for the server's memory; try again);
 *       {@link StoreUnavailableException}: {@code BUSY} too (an object store not answering now;
 *       the client retries, here or, behind a balancer, on another server).</li>
 *   <li>Whether such a failure is answered depends on where the byte stream stands
 *       ({@link RequestContext.Phase}): in step, it is answered and the connection goes on;
 *       while the client's body is still arriving and the server's own store failed, it is
 *       answered and the connection ends; mid-body out, or when the peer's side failed, the
 *       connection just ends.</li>
 * </ul>
 */
final class FailureTranslator {
    private static final Logger LOG = LoggerFactory.getLogger(FailureTranslator.class);

    private FailureTranslator() {}

    /** Runs {@code handler}, answering its failure if the stream allows; throws only to end the connection. */
    static <R extends Request> void serve(RequestHandler<R> handler, R request, RequestContext ctx) throws IOException {
        try {
            handler.handle(request, ctx);
        } catch (RefusedException e) {
            ctx.result(e.code().name());
            ctx.answer(new Response.Error(e.code(), e.getMessage()));
        } catch (IOException e) {
            fail(ctx, e);
        } finally {
            ctx.log();
        }
    }

    private static void fail(RequestContext ctx, IOException e) throws IOException {
        // The server's own side failed (its disk, or its memory), not the peer's.
        boolean storeFailed = e instanceof Body.SinkFailedException
                || e instanceof BufferBudget.ShortOfMemoryException
                || e instanceof StoreUnavailableException;
        IOException cause = e instanceof Body.SinkFailedException sink ? sink.getCause() : e;
        ErrorCode code = codeOf(cause);
        switch (ctx.phase()) {
            case IN_STEP -> {
                if (e instanceof Connection.ConnectionEnded) {
                    ctx.result("FAILED(" + e.getMessage() + ")");
                    throw e;
                }
                LOG.warn("{} {} failed: {}", ctx.client(), ctx.op(), e.toString());
                ctx.result(code.name() + "(" + cause.getClass().getSimpleName() + ")");
                ctx.answer(new Response.Error(code, message(ctx, code, cause)));
            }
            case RECEIVING -> {
                ctx.result((storeFailed ? code.name() : "INTERRUPTED") + "("
                        + cause.getClass().getSimpleName() + ")");
                if (storeFailed) {
                    // The client is still sending body bytes we cannot take: answer, then hang up.
                    ctx.answer(new Response.Error(code, message(ctx, code, cause)));
                    throw new Connection.ConnectionEnded("storing the body failed: " + cause);
                }
                throw e;
            }
            case SENDING -> {
                ctx.result("FAILED(" + cause.getClass().getSimpleName() + ")");
                throw e; // mid-body: the stream is out of step and the connection must end
            }
        }
    }

    /** The wire code of a failure of the server's own storage, by its type. */
    static ErrorCode codeOf(IOException failure) {
        if (failure instanceof BufferBudget.ShortOfMemoryException || failure instanceof StoreUnavailableException) {
            return ErrorCode.BUSY;
        }
        return failure instanceof NoSpaceException ? ErrorCode.NO_SPACE : ErrorCode.INTERNAL;
    }

    private static String message(RequestContext ctx, ErrorCode code, IOException cause) {
        if (code == ErrorCode.NO_SPACE) {
            return ctx.bytes() > 0
                    ? "the server ran out of disk space after " + ctx.bytes() + " bytes"
                    : "the server ran out of disk space";
        }
        if (cause instanceof StoreUnavailableException) {
            return "the server's storage is not answering; try again in a moment";
        }
        if (code == ErrorCode.BUSY) {
            return "the server is short of memory for transfers; try again in a moment";
        }
        return ctx.op() + " failed on the server: " + cause.getClass().getSimpleName();
    }
}
