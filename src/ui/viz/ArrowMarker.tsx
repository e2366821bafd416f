// The arrowhead the graph views put on their edges (`markerEnd="url(#id)"`), filled by `className` or the
// current text colour.
export function ArrowMarker(props: { id: string; size: number; userSpace?: boolean; className?: string }) {
  return (
    <marker
      id={props.id}
      viewBox="0 0 10 10"
      refX="9"
      refY="5"
      markerWidth={props.size}
      markerHeight={props.size}
      {...(props.userSpace ? { markerUnits: 'userSpaceOnUse' } : {})}
      orient="auto-start-reverse"
    >
      <path
        d="M0,0 L10,5 L0,10 z"
        {...(props.className ? { className: props.className } : { fill: 'currentColor' })}
      />
    </marker>
  );
}
