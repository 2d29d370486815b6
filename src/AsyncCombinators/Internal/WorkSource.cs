using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Where a run takes its operations from, one item per start and never ahead of the bound: a source read lazily and an
/// operation per item. Only the run's launcher calls it, one call at a time.
/// </summary>
internal abstract class WorkSource
{
    /// <summary>A selector that throws its item: how <see cref="Failed{TResult}"/> hands an exception to the conversion of a synchronous throw.</summary>
    private static readonly Func<Exception, CancellationToken, Task> s_rethrow = static (exception, _) =>
    {
        ExceptionDispatchInfo.Capture(exception).Throw();
        return null!;
    };

    /// <summary>Advances to the next item; <see langword="false"/> at the end. An exception is the source failing.</summary>
    public abstract ValueTask<bool> MoveNextAsync(CancellationToken token);

    /// <summary>Starts the current item's operation; a synchronous throw comes back as a faulted or canceled task.</summary>
    public abstract Task Start(CancellationToken token);

    /// <summary>
    /// The task of an operation that failed before it could start (a rate limiter threw), of the operations' type: ended as
    /// the operation's own synchronous throw would end it.
    /// </summary>
    public abstract Task Fail(Exception exception);

    /// <summary>Releases the source's enumerator, if one was made. An exception is the source failing.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Gets whether the source is known, without reading it, to have no item after the current one (an array or a list).
    /// Then the run ends once its operations finish, with no further read for which a pump would have to be posted to
    /// the caller's context (a caller blocking that context would deadlock).
    /// </summary>
    public virtual bool IsKnownExhausted => false;

    /// <summary>
    /// Ends a task with <paramref name="exception"/> through the conversion a synchronous throw by the operation gets (an
    /// <see cref="OperationCanceledException"/> ends it canceled, as an <see langword="async"/> method would end), so that
    /// a limiter that throws fails the operation exactly as if the operation had thrown.
    /// </summary>
    protected static Task Failed<TResult>(Exception exception) =>
        Operations.Invoke<Exception, TResult>(s_rethrow, exception, CancellationToken.None);
}

/// <summary>An <see cref="IEnumerable{T}"/> source and a selector returning a <see cref="Task"/> (a <see cref="Task{TResult}"/> when typed).</summary>
/// <typeparam name="TSource">The item type.</typeparam>
/// <typeparam name="TResult">The selector's result type; <see cref="VoidResult"/> for untyped selectors.</typeparam>
internal sealed class EnumerableSource<TSource, TResult> : WorkSource
{
    private readonly IEnumerable<TSource> _source;
    private readonly Func<TSource, CancellationToken, Task> _selector;
    private IEnumerator<TSource>? _enumerator;
    private TSource _current = default!;

    /// <summary>
    /// How many items of an array or <see cref="List{T}"/> source are left to take; -1 for any other source (its length is
    /// unknown). A list's count is read with its enumerator: a change after that makes the enumerator throw at the next
    /// item, so only a change after the last item is taken, which a race with the run could miss anyway, goes unseen.
    /// </summary>
    private int _remaining = -1;

    public EnumerableSource(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector)
    {
        _source = source;
        _selector = selector;
    }

    public override bool IsKnownExhausted => _remaining == 0;

    public override ValueTask<bool> MoveNextAsync(CancellationToken token)
    {
        if (_enumerator is null)
        {
            _enumerator = _source.GetEnumerator();
            _remaining = _source switch
            {
                TSource[] array => array.Length,
                List<TSource> list => list.Count,
                _ => -1,
            };
        }

        if (!_enumerator.MoveNext())
        {
            return new ValueTask<bool>(false);
        }

        _current = _enumerator.Current;
        if (_remaining > 0)
        {
            _remaining--;
        }

        return new ValueTask<bool>(true);
    }

    public override Task Start(CancellationToken token) => Operations.Invoke<TSource, TResult>(_selector, _current, token);

    public override Task Fail(Exception exception) => Failed<TResult>(exception);

    public override ValueTask DisposeAsync()
    {
        _current = default!;
        _enumerator?.Dispose();
        return default;
    }
}

/// <summary>An <see cref="IAsyncEnumerable{T}"/> source, enumerated with the run's token, and a selector.</summary>
/// <typeparam name="TSource">The item type.</typeparam>
/// <typeparam name="TResult">The selector's result type; <see cref="VoidResult"/> for untyped selectors.</typeparam>
internal sealed class AsyncEnumerableSource<TSource, TResult> : WorkSource
{
    private readonly IAsyncEnumerable<TSource> _source;
    private readonly Func<TSource, CancellationToken, Task> _selector;
    private IAsyncEnumerator<TSource>? _enumerator;
    private TSource _current = default!;

    public AsyncEnumerableSource(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector)
    {
        _source = source;
        _selector = selector;
    }

    public override async ValueTask<bool> MoveNextAsync(CancellationToken token)
    {
        _enumerator ??= _source.GetAsyncEnumerator(token);
        if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
        {
            return false;
        }

        _current = _enumerator.Current;
        return true;
    }

    public override Task Start(CancellationToken token) => Operations.Invoke<TSource, TResult>(_selector, _current, token);

    public override Task Fail(Exception exception) => Failed<TResult>(exception);

    public override ValueTask DisposeAsync()
    {
        _current = default!;
        return _enumerator?.DisposeAsync() ?? default;
    }
}

/// <summary>Makes the work sources of the public forms.</summary>
internal static class Sources
{
    public static WorkSource Of<T>(Func<CancellationToken, Task<T>>[] operations) =>
        new EnumerableSource<Func<CancellationToken, Task<T>>, T>(operations, Operations.InvokeSelf<T>.Instance);

    public static WorkSource Of(Func<CancellationToken, Task>[] operations) =>
        new EnumerableSource<Func<CancellationToken, Task>, VoidResult>(operations, Operations.InvokeUntyped);

    public static WorkSource Of<TSource, TResult>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector) =>
        new EnumerableSource<TSource, TResult>(source, selector);

    public static WorkSource Of<TSource>(IEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector) =>
        new EnumerableSource<TSource, VoidResult>(source, selector);

    public static WorkSource Of<TSource, TResult>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task<TResult>> selector) =>
        new AsyncEnumerableSource<TSource, TResult>(source, selector);

    public static WorkSource Of<TSource>(IAsyncEnumerable<TSource> source, Func<TSource, CancellationToken, Task> selector) =>
        new AsyncEnumerableSource<TSource, VoidResult>(source, selector);

    /// <summary>How many results to make room for at the start: the count of a collection, else none (the array grows).</summary>
    public static int CapacityOf<TSource>(IEnumerable<TSource> source) =>
        source switch
        {
            ICollection<TSource> collection => collection.Count,
            IReadOnlyCollection<TSource> collection => collection.Count,
            _ => 0,
        };
}
