using System.Collections.Concurrent;

namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// Cold operations that record an <see cref="AsyncLocal{T}"/> value when they start, and complete from a thread-pool
/// thread that does not carry the caller's execution context: the library's continuation, and any operation it starts
/// from there, runs without the caller's context unless the library restores it.
/// </summary>
public sealed class AmbientProbe
{
    private static readonly AsyncLocal<string?> s_ambient = new();

    /// <summary>Gets or sets the value the operations record, in the current execution context.</summary>
    public static string? Ambient
    {
        get => s_ambient.Value;
        set => s_ambient.Value = value;
    }

    /// <summary>Gets the values seen by the operations started so far.</summary>
    public ConcurrentQueue<string?> Seen { get; } = new();

    /// <summary>Records the current value, for an operation written inline by a test.</summary>
    public void Record() => Seen.Enqueue(s_ambient.Value);

    /// <summary>An operation that records the value, then returns <paramref name="value"/> from an unrelated pool thread.</summary>
    public Func<CancellationToken, Task<int>> Operation(int value) => _ =>
    {
        Record();
        var done = new TaskCompletionSource<int>();
        ThreadPool.UnsafeQueueUserWorkItem(_ => done.SetResult(value), null);
        return done.Task;
    };
}
