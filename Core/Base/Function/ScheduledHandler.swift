/// A function a timer runs (`events-relay`, `reconcile`): it answers a scheduled tick (an
/// EventBridge event, or `{}` from a timer) and no request from outside, which gets 405. The tick
/// reaches `handle` as a `POST` of its event to `/`.
package protocol ScheduledHandler: Handler {}
