//! Native WebSocket transport for natter-core.
