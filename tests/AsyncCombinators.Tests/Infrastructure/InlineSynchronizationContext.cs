namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// A synchronization context that runs what is posted to it at once, on the posting thread, without making itself
/// current there. Code the library resumes on the caller's context then runs inside the call that resumed it, and
/// what that code completes continues inline when the posting thread has no context: a window between two steps of the
/// library that another thread would hit only by chance is hit every time.
/// </summary>
public sealed class InlineSynchronizationContext : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => d(state);

    public override void Send(SendOrPostCallback d, object? state) => d(state);

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Makes <paramref name="call"/> on the current thread with this context current.</summary>
    public T Run<T>(Func<T> call) => TestUtil.Under(this, call);
}
