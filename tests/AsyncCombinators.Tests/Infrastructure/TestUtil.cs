using System.Runtime.CompilerServices;

namespace AsyncCombinators.Tests.Infrastructure;

public static class TestUtil
{
    /// <summary>How long a test may wait for something that should happen promptly before it fails instead of hanging CI.</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(30);

    public static TaskCompletionSource<T> Source<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource Source() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes <paramref name="call"/> on the current thread with <paramref name="context"/> current.</summary>
    public static T Under<T>(SynchronizationContext context, Func<T> call)
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return call();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Fails the test if <paramref name="task"/> has not completed within <see cref="HangTimeout"/>.</summary>
    public static async Task<T> Guard<T>(this Task<T> task, [CallerArgumentExpression(nameof(task))] string? what = null)
    {
        await WhenSettled(task, what);
        return await task;
    }

    /// <summary>Awaits <paramref name="task"/> (throwing its exception); fails the test on a hang.</summary>
    public static async Task Guard(this Task task, [CallerArgumentExpression(nameof(task))] string? what = null)
    {
        await WhenSettled(task, what);
        await task;
    }

    /// <summary>Waits for <paramref name="task"/> to complete, without observing its outcome; fails the test on a hang.</summary>
    public static async Task WhenSettled(this Task task, [CallerArgumentExpression(nameof(task))] string? what = null)
    {
        Task winner = await Task.WhenAny(task, Task.Delay(HangTimeout));
        if (winner != task)
        {
            throw new TimeoutException($"Hang guard: '{what}' did not complete within {HangTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, for something that must happen soon (an operation started, a
    /// token canceled); fails the test instead of hanging if it does not hold within <see cref="HangTimeout"/>.
    /// </summary>
    public static async Task WaitUntil(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? what = null)
    {
        var deadline = DateTime.UtcNow + HangTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Hang guard: '{what}' did not hold within {HangTimeout.TotalSeconds} s.");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Evaluates <paramref name="condition"/> at the moment <paramref name="task"/> completes, on the thread that completes
    /// it, so a test asserts what held when a combinator ended ("it ended only after the operation it cancelled") rather
    /// than sleeping and then looking whether it has ended yet.
    /// </summary>
    public static Task<bool> AtCompletion(this Task task, Func<bool> condition) =>
        task.ContinueWith(_ => condition(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Enumerates <paramref name="source"/> to its end and returns what it yielded, in order.</summary>
    public static async Task<List<T>> Drain<T>(this IAsyncEnumerable<T> source, CancellationToken cancellationToken = default)
    {
        var items = new List<T>();
        await foreach (T item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Asserts that the object created by <paramref name="create"/> can be collected, so nothing still references it.</summary>
    public static void AssertCollectable(Func<WeakReference> create, string because)
    {
        WeakReference reference = create();
        for (int i = 0; i < 5 && reference.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        reference.IsAlive.Should().BeFalse(because);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated thread with neither a synchronization context nor a task scheduler
    /// of the test framework, so continuations that the library runs inline really run inline (under the framework's
    /// context or scheduler they would be queued instead).
    /// </summary>
    public static T WithoutSynchronizationContext<T>(Func<T> action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).GetAwaiter().GetResult();

    /// <summary>
    /// Awaits <paramref name="wait"/> (from a dedicated thread, so it is pending before anything completes), then runs
    /// <paramref name="complete"/> on another dedicated thread, on which the thread pool can never resume anything.
    /// Returns whether the code after the await ran inside <paramref name="complete"/>, that is, inline.
    /// </summary>
    public static async Task<bool> ResumesInside(Func<Task> wait, Action complete)
    {
        int completingThread = -1;
        int resumedThread = -1;
        Task caller = WithoutSynchronizationContext(async () =>
        {
            await wait();
            resumedThread = Environment.CurrentManagedThreadId;
        });
        WithoutSynchronizationContext(() =>
        {
            completingThread = Environment.CurrentManagedThreadId;
            complete();
            return 0;
        });
        await caller.Guard();
        return resumedThread == completingThread;
    }

    /// <summary>A sequence that counts how often it is enumerated.</summary>
    public sealed class CountingEnumerable<T> : IEnumerable<T>
    {
        private readonly IEnumerable<T> _items;

        public CountingEnumerable(IEnumerable<T> items) => _items = items;

        public int Enumerations { get; private set; }

        public IEnumerator<T> GetEnumerator()
        {
            Enumerations++;
            return _items.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public static IEnumerable<T> Lazy<T>(params T[] items)
    {
        foreach (T item in items)
        {
            yield return item;
        }
    }

    /// <summary>Wraps a call so that assertions see what the CALL throws, not what awaiting its task throws.</summary>
    public static Action Call<T>(Func<T> call) => () => call();

    public static Task<T> Faulted<T>(string message) => Task.FromException<T>(new InvalidOperationException(message));

    public static Task<T> Canceled<T>() => Task.FromCanceled<T>(new CancellationToken(canceled: true));
}
