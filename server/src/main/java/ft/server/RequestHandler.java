package ft.server;

import ft.protocol.Request;
import java.io.IOException;

/**
 * What every request handler is: one request and its context in, frames out through the
 * context. A handler throws what went wrong and leaves turning it into an answer, and the
 * access log line, to {@link FailureTranslator}.
 *
 * @param <R> the request it answers
 */
@FunctionalInterface
interface RequestHandler<R extends Request> {
    void handle(R request, RequestContext ctx) throws RefusedException, IOException;
}
