import Base
import Glibc

/// What a sink kind makes of a claimed delivery: a request to send, or an answer without one
/// (nobody to send to, an event the sink cannot carry).
package enum SinkRequest {
    case send(OutboundRequest)
    case answered(SinkAnswer)
}
