using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Runs cold operations, at most <paramref name="maxConcurrency"/> at once, and yields each as it completes, with its
    /// position in the input (bounded streaming, like aiometer's <c>amap</c>; asyncio <c>as_completed</c> over coroutines).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operations">The operations, started in input order when the enumeration starts. Enumerated once and validated at the call.</param>
    /// <param name="maxConcurrency">How many may run at once; omitted: no limit. The next starts as soon as one completes, whether or not the consumer has asked for it.</param>
    /// <param name="cancellationToken">
    /// Cancels the running operations' tokens and makes MoveNextAsync throw <see cref="OperationCanceledException"/>
    /// (as does the token given to GetAsyncEnumerator, <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// <c>(Index, Task)</c> for every operation, in completion order; a failed operation is yielded like any other (awaiting
    /// its task throws) and stops or cancels nothing. Leaving the loop early (break, exception, disposal) cancels the running
    /// operations' tokens and waits for them to finish. An empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="operations"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <example>
    /// <code>
    /// await foreach (var (index, task) in Async.AsCompleted(downloads, maxConcurrency: 4))
    /// {
    ///     Console.WriteLine($"#{index}: {await task}");
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<(int Index, Task<T> Task)> AsCompleted<T>(IEnumerable<Func<CancellationToken, Task<T>>> operations, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, Task<T>>[] items = TaskCollection.ToArray(operations, nameof(operations), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return AsCompletedOperations(items, maxConcurrency, cancellationToken);
    }

    private static async IAsyncEnumerable<(int Index, Task<T> Task)> AsCompletedOperations<T>(
        Func<CancellationToken, Task<T>>[] operations,
        int maxConcurrency,
        CancellationToken cancellationToken,
        [EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        // Stryker disable once Conditional,Logical : a linked source over the same tokens cancels exactly when they do; skipping it only saves an allocation.
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled && enumeratorToken.CanBeCanceled && cancellationToken != enumeratorToken
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, enumeratorToken)
            : null;
        CancellationToken token = linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : enumeratorToken);
        // Stryker disable once Statement : the runner starts nothing on a canceled token and the loop below throws the same exception.
        token.ThrowIfCancellationRequested();

        var runner = new StreamRunner<T>(operations, maxConcurrency, token);
        runner.Start();
        try
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                if (runner.TryTake(out (int Index, Task<T> Task) item, out Task? wait))
                {
                    yield return item;
                    continue;
                }

                if (wait is null)
                {
                    yield break;
                }

                await wait.WaitAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, token).ConfigureAwait(false);
            }
        }
        finally
        {
            runner.Abandon();
            await runner.AllStopped.ConfigureAwait(false);
        }
    }
}
