using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Adapts up to five operations of different result types to one untyped structured Gather: each adapted operation
/// stores its value in its own slot, so no value is boxed.
/// </summary>
internal sealed class HeterogeneousSlots<T1, T2, T3, T4, T5>
{
    public T1 Value1 = default!;
    public T2 Value2 = default!;
    public T3 Value3 = default!;
    public T4 Value4 = default!;
    public T5 Value5 = default!;

    public Func<CancellationToken, Task<VoidResult>>[] Bind(
        Func<CancellationToken, Task<T1>> operation1,
        Func<CancellationToken, Task<T2>> operation2,
        Func<CancellationToken, Task<T3>>? operation3 = null,
        Func<CancellationToken, Task<T4>>? operation4 = null,
        Func<CancellationToken, Task<T5>>? operation5 = null)
    {
        int count = operation5 is not null ? 5 : operation4 is not null ? 4 : operation3 is not null ? 3 : 2;
        var adapted = new Func<CancellationToken, Task<VoidResult>>[count];
        adapted[0] = ct => Store(operation1, v => Value1 = v, ct);
        adapted[1] = ct => Store(operation2, v => Value2 = v, ct);
        if (operation3 is not null)
        {
            adapted[2] = ct => Store(operation3, v => Value3 = v, ct);
        }

        if (operation4 is not null)
        {
            adapted[3] = ct => Store(operation4, v => Value4 = v, ct);
        }

        if (operation5 is not null)
        {
            adapted[4] = ct => Store(operation5, v => Value5 = v, ct);
        }

        return adapted;
    }

    private static Task<VoidResult> Store<T>(Func<CancellationToken, Task<T>> operation, Action<T> store, CancellationToken token)
    {
        // Not awaited: an await keeps only the first of several inner exceptions, and the run must see every one, as it
        // does for the array form. Inline, so that an operation that failed at the call stops the run before more start.
        Task<T> task = Operations.Start(operation, token);
        return Completion.Then(task, (task, store), static s => StoreResult(s.task, s.store), inline: true);
    }

    private static VoidResult StoreResult<T>(Task<T> task, Action<T> store)
    {
        store(task.Result);
        return default;
    }
}
