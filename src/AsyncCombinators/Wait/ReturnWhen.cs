namespace AsyncCombinators;

/// <summary>When <see cref="Async.Wait{T}(System.Collections.Generic.IEnumerable{System.Threading.Tasks.Task{T}}, ReturnWhen)"/> returns: asyncio's <c>return_when</c>.</summary>
public enum ReturnWhen
{
    /// <summary>When every input has completed (asyncio <c>ALL_COMPLETED</c>).</summary>
    AllCompleted = 0,

    /// <summary>When any input completes, however it ends (asyncio <c>FIRST_COMPLETED</c>).</summary>
    FirstCompleted = 1,

    /// <summary>
    /// When any input faults; a canceled input does not count. If none faults, as <see cref="AllCompleted"/>
    /// (asyncio <c>FIRST_EXCEPTION</c>).
    /// </summary>
    FirstException = 2,
}
