// The results portal: ratings, turnout by region and by hour, removed candidates, downloads.
import '@primaries/ui/base.css';
import './style.css';
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
