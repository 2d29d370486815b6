using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

internal static class Completion
{
    /// <summary>
    /// Completes with <paramref name="read"/>(<paramref name="state"/>) when <paramref name="antecedent"/> succeeds, and
    /// otherwise exactly as it ended: canceled, or faulted with ALL of its exceptions (an async method would keep only the first).
    /// </summary>
    public static Task<TResult> Then<TState, TResult>(Task antecedent, TState state, Func<TState, TResult> read)
    {
        if (antecedent.IsSucceeded())
        {
            return Task.FromResult(read(state));
        }

        var promise = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        antecedent.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
        {
            if (antecedent.IsSucceeded())
            {
                promise.TrySetResult(read(state));
            }
            else if (antecedent.IsFaulted)
            {
                promise.TrySetException(antecedent.Exception!.InnerExceptions);
            }
            else
            {
                promise.TrySetCanceled(CancellationTokenOf(antecedent));
            }
        });
        return promise.Task;
    }

    /// <summary>The token a canceled task was canceled with (<see cref="TaskCanceledException(Task)"/> reads it without throwing).</summary>
    public static CancellationToken CancellationTokenOf(Task canceled) => new TaskCanceledException(canceled).CancellationToken;
}
