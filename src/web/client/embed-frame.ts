/**
 * The script of the embed frame (`/embed/…`). The frame never scrolls on its own, so it tells the
 * page around it (only the origin the server let frame it, `data-embedder`): its height, on load
 * and whenever it changes; and, once loaded, where the comment its address points at
 * (`#comment-<id>`, or `#comment-held`) is, for that page to scroll to. Links to other sites (in
 * comments, commenters' websites) open in a new tab rather than inside the frame.
 */
import './embed-frame.css';

function talkToEmbedder(): void {
  const root = document.getElementById('embed-root');
  const embedder = document.documentElement.dataset.embedder;
  if (!root || !embedder || window.parent === window) return;
  const tell = (type: 'broadside:height' | 'broadside:scroll', px: number) =>
    window.parent.postMessage({ type, px: Math.max(0, Math.ceil(px)) }, embedder);
  const reportHeight = () => tell('broadside:height', root.getBoundingClientRect().height);
  new ResizeObserver(reportHeight).observe(root);
  window.addEventListener('load', () => {
    reportHeight();
    const target =
      location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
    if (target) tell('broadside:scroll', target.getBoundingClientRect().top + window.scrollY);
  });
}

function openOtherSitesInNewTabs(): void {
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a[href]');
    if (link instanceof HTMLAnchorElement && link.origin !== location.origin)
      link.target = '_blank';
  });
}

talkToEmbedder();
openOtherSitesInNewTabs();
