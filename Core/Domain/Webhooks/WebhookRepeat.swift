import Base
import Logging

/// What a repeated event key leads to.
package enum WebhookRepeat {
    /// Answered as a duplicate; nothing runs.
    case duplicate
    /// Applied again and recorded again (the first delivery had no effect).
    case apply
    /// Applied again for its answer only, the first delivery's record kept (answering has no effect).
    case answerOnly
}
