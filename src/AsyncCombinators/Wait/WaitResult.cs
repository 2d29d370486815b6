using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace AsyncCombinators;

/// <summary>
/// The result of <see cref="Async.Wait{T}(IEnumerable{Task{T}}, ReturnWhen)"/>: the inputs that had completed when it
/// returned, and those that had not (asyncio's <c>(done, pending)</c> pair). Deconstructs as <c>var (done, pending) = …</c>.
/// </summary>
/// <typeparam name="TTask">The task type.</typeparam>
/// <remarks>
/// Both collections hold the original task objects, each distinct input exactly once, in input order. The collections Wait
/// returns are read-only <see cref="ICollection{T}"/>s too, so <c>new List&lt;T&gt;(pending)</c> or
/// <c>Task.WhenAll(pending)</c> copy them in one step; passed back to Wait or AsCompleted (the asyncio loop
/// <c>while pending: done, pending = await wait(pending)</c>) they are copied without another duplicate check.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct WaitResult<TTask>
    where TTask : Task
{
    /// <summary>Initializes a new instance of the <see cref="WaitResult{TTask}"/> struct.</summary>
    /// <param name="done">The completed inputs.</param>
    /// <param name="pending">The inputs not yet completed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="done"/> or <paramref name="pending"/> is <see langword="null"/>.</exception>
    public WaitResult(IReadOnlyCollection<TTask> done, IReadOnlyCollection<TTask> pending)
    {
        Internal.ThrowHelper.ThrowIfNull(done, nameof(done));
        Internal.ThrowHelper.ThrowIfNull(pending, nameof(pending));
        _done = done;
        _pending = pending;
    }

    private readonly IReadOnlyCollection<TTask>? _done;
    private readonly IReadOnlyCollection<TTask>? _pending;

    /// <summary>Gets every input that had completed when Wait returned, in input order (empty for <c>default</c>).</summary>
    public IReadOnlyCollection<TTask> Done => _done ?? Array.Empty<TTask>();

    /// <summary>Gets every input that had not completed when Wait returned, in input order (empty for <c>default</c>).</summary>
    public IReadOnlyCollection<TTask> Pending => _pending ?? Array.Empty<TTask>();

    /// <summary>Deconstructs into <c>(done, pending)</c>, as asyncio's <c>done, pending = await asyncio.wait(...)</c>.</summary>
    /// <param name="done">The completed inputs.</param>
    /// <param name="pending">The inputs not yet completed.</param>
    public void Deconstruct(out IReadOnlyCollection<TTask> done, out IReadOnlyCollection<TTask> pending)
    {
        done = Done;
        pending = Pending;
    }
}
